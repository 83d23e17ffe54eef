/* parse.c - lets the tests see how altimer reads durations and signals.
 *
 *   parse duration TEXT   nanoseconds, "none" for no deadline, or "invalid"
 *   parse signal TEXT     "NUMBER NAME" or "invalid"
 *   parse signals         every signal altimer can name, "NUMBER NAME" lines
 *   parse options ARG...  what options_parse made of "altimer ARG...": one
 *                         "field value" line each, or its exit status 125
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "duration.h"
#include "options.h"
#include "signames.h"

static void print_signal(int sig, const char *name, void *data)
{
	(void)data;
	printf("%d %s\n", sig, name);
}

static void print_duration(const char *field, uint64_t ns)
{
	if (ns == DURATION_NONE)
		printf("%s none\n", field);
	else
		printf("%s %" PRIu64 "\n", field, ns);
}

/* "options" becomes altimer's argv[0], so messages name "altimer". */
static int print_options(int argc, char **argv)
{
	struct options options;
	int r;

	argv[1] = "altimer";
	diag_init(argv[1]);
	r = options_parse(argc - 1, argv + 1, &options);
	if (r == OPTIONS_DONE)
		return 0;
	if (r < 0)
		return 125;
	printf("verbose %d\n", options.verbose);
	printf("foreground %d\n", options.foreground);
	printf("preserve_status %d\n", options.preserve_status);
	printf("signal %d\n", options.timeout_signal);
	print_duration("kill_after", options.kill_after);
	print_duration("keepalive", options.keepalive);
	print_duration("duration", options.duration);
	printf("steps %d\n", options.ladder_steps);
	printf("command %s\n", options.command[0]);
	options_free(&options);
	return 0;
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
	if (argc >= 3 && strcmp(argv[1], "options") == 0)
		return print_options(argc, argv);
	return 2;
}
