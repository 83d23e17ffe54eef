/* snapshot.h - what every process of the tree was doing when a limit fired.
 *
 * Taken once, at the deadline, keepalive or WATCHDOG=trigger, before the
 * first signal: for the report (--report) and a ps-like forest on stderr. */
#ifndef ALTIMER_SNAPSHOT_H
#define ALTIMER_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Most processes described one by one; the rest are only counted. */
#define SNAPSHOT_MAX 1000

/* What one process was doing. */
struct snapshot_process {
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

struct snapshot {
	bool taken;
	const char *reason;	/* "deadline", "keepalive", "trigger" */
	uint64_t at;		/* CLOCK_MONOTONIC when it was taken */
	uint64_t took;		/* nanoseconds the reading took */
	struct snapshot_process *processes;	/* in forest order */
	size_t count;
	size_t omitted;		/* beyond SNAPSHOT_MAX, or gone while read */
	pid_t command;		/* COMMAND's pid: the tails belong to it */
	char *tail[2];		/* COMMAND's last stdout and stderr bytes
				 * under --keepalive, malloc'ed, or NULL */
	size_t tail_len[2];
};

/* Read what each of the count processes in pids is doing.  Never fails:
 * a process that is gone or unreadable is left out (and counted), and out
 * of memory the snapshot holds what it could read. */
void snapshot_take(struct snapshot *snapshot, const pid_t *pids, size_t count,
		   pid_t command, const char *reason);

/* The forest on out, one line a process, as `ps -o pid,stat,wchan,time,rss,args
 * --forest` shows it, each line after prefix. */
void snapshot_print(const struct snapshot *snapshot, FILE *out, const char *prefix);

/* The pids, space-separated, in a malloc'ed string (NULL without memory). */
char *snapshot_pid_list(const struct snapshot *snapshot);

void snapshot_free(struct snapshot *snapshot);

/* The tree at a glance, for --heartbeat: how many of the count processes
 * in pids are alive, their CPU time and resident memory together. */
struct snapshot_totals {
	size_t processes;
	uint64_t cpu;		/* nanoseconds, user and system */
	long rss_kib;
};

/* Read /proc/PID/stat alone (as snapshot_take does first) of each of the
 * count processes in pids. */
void snapshot_totals(const pid_t *pids, size_t count, struct snapshot_totals *totals);

#endif
