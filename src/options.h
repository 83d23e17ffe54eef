/* options.h - the command line: one option table for parsing and --help. */
#ifndef ALTIMER_OPTIONS_H
#define ALTIMER_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

struct options {
	uint64_t duration;	/* nanoseconds, DURATION_NONE for no deadline */
	uint64_t kill_after;	/* nanoseconds, DURATION_NONE when not asked */
	uint64_t keepalive;	/* nanoseconds of silence allowed, or NONE */
	bool notify;		/* serve the sd_notify protocol */
	int timeout_signal;	/* sent at the deadline, default SIGTERM */
	bool preserve_status;
	bool foreground;
	bool verbose;
	bool contain;		/* timeouts reach the whole tree, not just the group */
	bool kill_leftovers;	/* also kill the tree when COMMAND exits */
	char **command;		/* NULL-terminated argv of COMMAND */
};

enum options_result {
	OPTIONS_RUN = 0,	/* run the command */
	OPTIONS_DONE = 1,	/* --help or --version was printed */
};

/* Parse argv.  Returns OPTIONS_RUN, OPTIONS_DONE, or -EINVAL after printing
 * a one-line error to stderr (the caller exits 125). */
int options_parse(int argc, char **argv, struct options *options);

#endif
