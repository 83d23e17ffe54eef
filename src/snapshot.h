/* snapshot.h - what every process of the tree was doing when a limit fired.
 *
 * Taken once, at the deadline, keepalive or WATCHDOG=trigger, before the
 * first signal: for the report (--report) and a ps-like forest on stderr.
 * It is taken straight into the report's record of the tree (struct
 * report_snapshot and report_process, report.h), which the report shows
 * as it is. */
#ifndef ALTIMER_SNAPSHOT_H
#define ALTIMER_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "report.h"

/* Most processes described one by one; the rest are only counted. */
#define SNAPSHOT_MAX 1000

/* Read what each of the count processes in pids is doing.  Never fails:
 * a process that is gone or unreadable is left out (and counted), and out
 * of memory the snapshot holds what it could read. */
void snapshot_take(struct report_snapshot *snapshot, const pid_t *pids, size_t count,
		   pid_t command, const char *reason);

/* The forest on out, one line a process, as `ps -o pid,stat,wchan,time,rss,args
 * --forest` shows it, each line after prefix. */
void snapshot_print(const struct report_snapshot *snapshot, FILE *out, const char *prefix);

/* The pids, space-separated, in a malloc'ed string (NULL without memory). */
char *snapshot_pid_list(const struct report_snapshot *snapshot);

void snapshot_free(struct report_snapshot *snapshot);

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
