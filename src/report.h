/* report.h - what happened, in numbers: the --report JSON object. */
#ifndef ALTIMER_REPORT_H
#define ALTIMER_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "cgroup.h"

#include "options.h"

/* Version of the JSON format: bumped when a field changes meaning or goes
 * away (new fields may appear without a bump). */
#define REPORT_VERSION 1

/* Most signals listed one by one; the rest are only counted. */
#define REPORT_SIGNALS_MAX 10000

/* One signal altimer sent. */
struct report_signal {
	uint64_t at;		/* nanoseconds since altimer started */
	int signal;
	const char *target;	/* "command", "group", "tree" or "leftovers" */
	pid_t pid;		/* COMMAND's pid (and group id) */
	int processes;		/* how many processes it reached, when known */
	const char *cause;	/* "deadline", "keepalive", "trigger",
				 * "forwarded", "ladder", "every", "clean-up" */
	int step;		/* ladder step (0 = the first signal) or -1 */
};

struct report {
	bool enabled;		/* record signals at all */
	uint64_t started;	/* CLOCK_MONOTONIC when altimer started */
	uint64_t zero;		/* ... when the deadline started, just before
				 * COMMAND's fork: every time the report gives
				 * counts from here, as the deadline does */
	uint64_t spawned;	/* ... when COMMAND was started, or 0 */
	uint64_t ended;		/* ... when COMMAND was reaped, or 0 */
	struct report_signal *signals;
	size_t count, capacity;
	uint64_t omitted;	/* signals beyond REPORT_SIGNALS_MAX */
	int spare_fd;		/* held from the start so the file can still be
				 * created when descriptors run out; -1 */
	int output_fd;		/* the descriptor --report names (/dev/stdout,
				 * /dev/fd/N), duplicated at the start; -1 */
	unsigned closed_standard_fds;	/* bit n: fd n was closed when altimer
					 * started (now /dev/null) */
};

/* How long a reader (FIFO, pipe, terminal) may take no byte of the report
 * before altimer gives up on it. */
#define REPORT_STALL_MS 10000

/* Check that a report can be written to path ("-" is standard error)
 * before COMMAND starts, and set a descriptor aside for writing it (or
 * hold the descriptor path names: /dev/stdout, /dev/fd/N).  Returns 0 or
 * -errno (EISDIR for a directory or a name ending in /, ENOENT for a
 * missing directory, EMFILE...). */
int report_prepare(struct report *report, const char *path);

/* Note a signal sent.  Never fails: past the limit, or out of memory, the
 * signal is counted as omitted. */
void report_signal(struct report *report, int sig, const char *target, pid_t pid,
		   int processes, const char *cause, int step);

/* Write s (len bytes, any bytes at all) as a JSON string: quotes,
 * backslashes and control characters escaped, bytes that are not UTF-8
 * replaced by U+FFFD so the result is always valid JSON. */
void report_json_string(FILE *out, const char *s, size_t len);

/* Write the finished JSON object in text (len bytes) to path: "-" is
 * standard error, a descriptor's name writes to that descriptor (neither
 * waits more than REPORT_STALL_MS for a reader to take a byte).
 * Otherwise symbolic links are followed to the file itself; a regular
 * file (or a new one) is written under a temporary name in the same
 * directory, with the old file's mode and owner, and renamed over it, so a
 * reader sees all or nothing; anything else (a device, a FIFO) is written
 * into, never replaced.  Returns 0 or -errno; on failure an old regular
 * file is left as it was. */
int report_save(struct report *report, const char *path, const char *text, size_t len);

struct snapshot;
struct hook;

/* What happened, as main() and the loop saw it: a flat record, so the
 * report reads no structure of theirs. */
struct report_facts {
	const struct options *options;	/* what was asked */
	bool started;		/* COMMAND was started */
	pid_t pid;
	bool reaped;		/* COMMAND's status is known: */
	int si_code;		/* CLD_EXITED, CLD_KILLED or CLD_DUMPED */
	int status;		/* exit status or signal number */
	struct rusage usage;	/* COMMAND's CPU time and peak memory */
	bool timed_out;
	const char *reason;	/* "exited", "deadline", "keepalive", "trigger",
				 * "signal", "exec-failed" or "error" */
	const char *error;	/* altimer's own failure, in words, or NULL */
	int exit_status;	/* what altimer's caller sees */
	bool reraised;		/* altimer dies of COMMAND's signal */
	uint64_t deadline_expirations, keepalive_expirations, every_expirations;
	const uint64_t *step_expirations;	/* per ladder step, or NULL */
	uint64_t notes_sent;
	uint64_t heartbeats;	/* --heartbeat lines printed */
	bool notify_ready;
	const char *notify_status;	/* last STATUS=, or NULL */
	const struct snapshot *snapshot;	/* the tree at the limit, or NULL */
	const struct hook *hook;	/* --on-timeout, or NULL */
	int output_errors[2];	/* errno that ended the relay of stdout,
				 * stderr (downstream full, gone...), or 0 */
	const char *containment;	/* "cgroup", "tree" or "group" */
	const char *containment_reason;	/* why that one, or NULL */
	struct cgroup_usage tree_usage;	/* the cgroup's totals at the end */
};

/* The JSON object, malloc'ed, its length in *len; NULL when out of
 * memory. */
char *report_compose(const struct report *report, const struct report_facts *facts,
		     size_t *len);

void report_free(struct report *report);

#endif
