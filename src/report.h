/* report.h - what happened, in numbers: the --report JSON object. */
#ifndef ALTIMER_REPORT_H
#define ALTIMER_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "atomicfile.h"

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
	struct atomic_file file;	/* where the report goes */
};

/* Note a signal sent.  Never fails: past the limit, or out of memory, the
 * signal is counted as omitted. */
void report_signal(struct report *report, int sig, const char *target, pid_t pid,
		   int processes, const char *cause, int step);

/* Write s (len bytes, any bytes at all) as a JSON string: quotes,
 * backslashes and control characters escaped, bytes that are not UTF-8
 * replaced by U+FFFD so the result is always valid JSON. */
void report_json_string(FILE *out, const char *s, size_t len);

/* Most ladder steps the report lists (LADDER_MAX of options.h). */
#define REPORT_LADDER_MAX 16

/* What was asked, as the report repeats it. */
struct report_settings {
	char *const *command;	/* NULL-terminated argv of COMMAND */
	bool boot_clock;	/* --clock=boot */
	uint64_t deadline;	/* nanoseconds, each DURATION_NONE for none */
	uint64_t keepalive;
	struct {
		int signal;
		uint64_t delay;
	} ladder[REPORT_LADDER_MAX];
	int ladder_steps;
	uint64_t every;		/* --every's interval */
	int every_signal;
	uint64_t heartbeat;
	const char *on_timeout;	/* --on-timeout's command, or NULL */
	uint64_t on_timeout_limit;
};

/* One process of the tree when a limit fired (snapshot.h takes them). */
struct report_process {
	pid_t pid, ppid, pgid;
	char state;		/* R, S, D, T, Z, ... */
	char comm[32];		/* the kernel's short name */
	uint64_t age;		/* nanoseconds since it started */
	uint64_t user_cpu;	/* nanoseconds */
	uint64_t system_cpu;
	long rss_kib;
	long threads;
	char *wchan;		/* the kernel function it sleeps in, or NULL */
	char *stack;		/* /proc/PID/stack, one frame a line, or NULL */
	char *cmdline;		/* arguments joined by spaces, or NULL */
	size_t cmdline_len;
	int depth;		/* in the forest: 0 for a root */
};

/* The tree when a limit fired: its processes in forest order, and the
 * tails of COMMAND's output (snapshot.h takes and frees one). */
struct report_snapshot {
	bool taken;
	const char *reason;	/* "deadline", "keepalive", "trigger" */
	uint64_t at;		/* CLOCK_MONOTONIC when it was taken */
	uint64_t took;		/* nanoseconds the reading took */
	struct report_process *processes;	/* in forest order */
	size_t count;
	size_t omitted;		/* beyond SNAPSHOT_MAX, or gone while read */
	pid_t command;		/* COMMAND's pid: the tails belong to it */
	char *tail[2];		/* COMMAND's last stdout and stderr bytes
				 * under --keepalive, malloc'ed, or NULL */
	size_t tail_len[2];
};

/* How --on-timeout's command ended. */
struct report_hook {
	bool ran;		/* it was started (or tried to be) */
	int error;		/* errno when it could not be started, else 0 */
	int exit_code;		/* CLD_EXITED, CLD_KILLED or CLD_DUMPED; 0 unknown */
	int exit_status;	/* its exit status or signal number */
	const char *stopped_by;	/* NULL, "limit" or "signal" */
	uint64_t elapsed;	/* nanoseconds it ran */
};

/* The whole tree's usage, from its own cgroup; -1 for what the kernel
 * does not keep there. */
struct report_tree_usage {
	bool valid;
	int64_t user_us, system_us;	/* CPU time */
	int64_t memory_peak;	/* bytes */
	int64_t pids_peak;
	int64_t cpu_some_us, memory_some_us, memory_full_us;	/* pressure */
	int64_t io_some_us, io_full_us;
};

/* What happened, as main() and the loop saw it: a flat record of plain
 * fields, so the report reads no structure of theirs. */
struct report_facts {
	struct report_settings settings;	/* what was asked */
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
	const struct report_snapshot *snapshot;	/* the tree at the limit, or NULL */
	struct report_hook hook;	/* --on-timeout, when settings ask for it */
	int output_errors[2];	/* errno that ended the relay of stdout,
				 * stderr (downstream full, gone...), or 0 */
	const char *containment;	/* "cgroup", "tree" or "group" */
	const char *containment_reason;	/* why that one, or NULL */
	struct report_tree_usage tree_usage;	/* the cgroup's totals at the end */
};

/* The JSON object, malloc'ed, its length in *len; NULL when out of
 * memory. */
char *report_compose(const struct report *report, const struct report_facts *facts,
		     size_t *len);

void report_free(struct report *report);

#endif
