/* options.h - the command line: one option table for parsing and --help. */
#ifndef ALTIMER_OPTIONS_H
#define ALTIMER_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

/* Most steps an escalation ladder may have. */
#define LADDER_MAX 16

/* One step of the escalation ladder: send signal, delay after the step
 * before it (0 for the first step, which is sent when a limit fires). */
struct ladder_step {
	int signal;
	uint64_t delay;		/* nanoseconds; DURATION_NONE: never */
};

/* --contain: how far a timeout reaches, and by what means. */
enum contain_mode {
	CONTAIN_AUTO,		/* the command's cgroup where one can be made, else tree */
	CONTAIN_CGROUP,		/* the command's own cgroup, or fail */
	CONTAIN_TREE,		/* walking the subreaper's tree */
	CONTAIN_GROUP,		/* GNU's scope: the process group only */
};

struct options {
	uint64_t duration;	/* nanoseconds, DURATION_NONE for no deadline */
	uint64_t kill_after;	/* nanoseconds, DURATION_NONE when not asked */
	bool kill_after_never;	/* -k too long to come (1e300): still a KILL
				 * step, which a signal from outside and then
				 * the deadline reach, as in GNU */
	struct ladder_step ladder[LADDER_MAX];	/* -s/-k, or --ladder */
	int ladder_steps;
	uint64_t every;		/* --every: interval of notes, or NONE */
	int every_signal;	/* the note's signal */
	char *report;		/* --report=FILE, "-" for stderr, or NULL */
	char *on_timeout;	/* --on-timeout=COMMAND, or NULL */
	uint64_t on_timeout_limit;	/* its own limit, nanoseconds */
	uint64_t keepalive;	/* nanoseconds of silence allowed, or NONE */
	uint64_t heartbeat;	/* --heartbeat: silence between lines, or NONE */
	unsigned retry;		/* --retry: attempts after the first, or 0 */
	uint64_t retry_delay;	/* --retry-delay: before the second attempt */
	double retry_factor;	/* ... times this before each later one */
	bool retry_on_failure;	/* --retry-on=failure: any failure, not only
				 * a timeout */
	uint64_t budget;	/* --budget: all attempts together, or NONE */
	bool notify;		/* serve the sd_notify protocol */
	int timeout_signal;	/* sent at the deadline: the ladder's first step */
	bool signal_given;	/* -s was used (it cannot go with --ladder) */
	bool preserve_status;
	bool foreground;
	int verbose;		/* -v: 1 for GNU's lines, 2 (-vv) for altimer's too */
	bool contain;		/* timeouts reach the whole tree, not just the group */
	enum contain_mode contain_mode;	/* --contain */
	bool kill_leftovers;	/* also kill the tree when COMMAND exits */
	int pty;		/* enum relay_pty: --pty */
	bool boot_clock;	/* --clock=boot: CLOCK_BOOTTIME */
	char **command;		/* NULL-terminated argv of COMMAND */
};

enum options_result {
	OPTIONS_RUN = 0,	/* run the command */
	OPTIONS_DONE = 1,	/* --help or --version was printed */
};

/* Parse argv as GNU timeout's getopt_long does: options in order up to the
 * first operand, GNU's abbreviations, GNU's words for what is wrong.
 * Returns OPTIONS_RUN, OPTIONS_DONE, -EINVAL after printing a usage error
 * (and GNU's "Try '... --help'" line), -EIO after a "write error" on
 * --help or --version, or -ENOMEM; the caller exits 125 on all three. */
int options_parse(int argc, char **argv, struct options *options);

/* Free what options_parse allocated. */
void options_free(struct options *options);

#endif
