/* fuzz_options.c - libFuzzer target: the whole option set.  The input is
 * split at NUL bytes into argv[1..]. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	struct options options;

	/* fuzz/run passes -close_fd_mask=3: error lines and --help vanish,
	 * only crashes matter here. */
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = "altimer";
	for (char *p = copy; p <= copy + size && argc <= MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	if (options_parse(argc, argv, &options) == OPTIONS_RUN) {
		/* COMMAND has a word, and ends: operands (popt's copies) come
		 * from argv or from an alias of ~/.popt. */
		size_t words = 0, bytes = 0;
		if (options.command == NULL || options.command[0] == NULL)
			abort();
		while (options.command[words] != NULL)
			bytes += strlen(options.command[words++]);
		if (words > (size_t)argc + MAX_ARGS || bytes > size + 65536 || argv[argc] != NULL)
			abort();
		/* The ladder always has a first step, and it is -s's signal. */
		if (options.ladder_steps < 1 || options.ladder_steps > LADDER_MAX ||
		    options.ladder[0].signal != options.timeout_signal)
			abort();
		/* -v counts; a duration is never 0 ns (0 is none). */
		if (options.verbose < 0 || options.duration == 0)
			abort();
		options_free(&options);
	}
	free(copy);
	return 0;
}
