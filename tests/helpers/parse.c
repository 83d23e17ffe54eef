/* parse.c - lets the tests see how altimer reads durations and signals.
 *
 *   parse duration TEXT   nanoseconds, "none" for no deadline, or "invalid"
 *   parse signal TEXT     "NUMBER NAME" or "invalid"
 *   parse signals         every signal altimer can name, "NUMBER NAME" lines
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"
#include "signames.h"

static void print_signal(int sig, const char *name, void *data)
{
	(void)data;
	printf("%d %s\n", sig, name);
}

int main(int argc, char **argv)
{
	char name[SIGNAME_MAX];

	if (argc == 3 && strcmp(argv[1], "duration") == 0) {
		uint64_t ns;
		if (duration_parse(argv[2], &ns) < 0)
			puts("invalid");
		else if (ns == DURATION_NONE)
			puts("none");
		else
			printf("%" PRIu64 "\n", ns);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "signal") == 0) {
		int sig = signal_parse(argv[2]);
		if (sig < 0)
			puts("invalid");
		else
			printf("%d %s\n", sig, signal_name(sig, name));
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "signals") == 0) {
		signal_each(print_signal, NULL);
		return 0;
	}
	return 2;
}
