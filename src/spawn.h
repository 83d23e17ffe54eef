/* spawn.h - the one place altimer starts processes from, but the guardian
 * (cgroup.c). */
#ifndef ALTIMER_SPAWN_H
#define ALTIMER_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

/* What the new process gets before spawn_fork returns 0 in it.  Zero
 * fields ask for nothing: the caller's state is kept. */
struct spawn_options {
	const char *name;		/* PR_SET_NAME, or NULL */
	/* Sent by the kernel when altimer dies, or 0: the process outlives
	 * altimer.  Set, then the parent is compared with the PID it had
	 * before the fork: gone already, the process exits with
	 * orphan_status. */
	int death_signal;
	int orphan_status;
	bool new_group;			/* a process group of its own */
	/* Every descriptor from 3 up is closed but these (sorted in place
	 * in the new process); keep NULL and keep_count 0 close nothing. */
	int *keep;
	int keep_count;
	/* Dispositions: the caller's given back (restore), and then these
	 * (0-terminated) set to SIG_DFL; NULL for either keeps altimer's. */
	const struct signal_restore *restore;
	const int *defaults;
	/* The mask the process runs with; NULL: altimer's at the call. */
	const sigset_t *mask;
};

/* fork() with options as above: the new process's PID in the parent, 0 in
 * the new process, -errno if it could not start.  Signals are blocked
 * over the fork, so none reaches the new process before its mask. */
pid_t spawn_fork(const struct spawn_options *options);

/* COMMAND's fast start, as posix_spawn does it: a clone sharing memory
 * (CLONE_VM | CLONE_VFORK), start(arg) running in the new process on a
 * stack of its own in altimer's memory, altimer stopped until it execs
 * argv (execvp: the stack is sized for it) or exits.  No copy of
 * altimer's page tables, none of the copy-on-write faults a fork costs
 * both sides afterwards.  start does all of its set-up itself, with
 * system calls only (async-signal-safe) and uninstrumented (the
 * sanitizers would take its stack for one of altimer's), and may write
 * nothing of altimer's but errno.  With cgroup_fd >= 0, by clone3 straight
 * into that cgroup where it can (x86-64: the new process's start needs
 * assembly); *moved, set before the clone and so readable by start, says
 * whether it is in it (false: start must move the process itself).  PID,
 * or -1 with errno. */
pid_t spawn_shared(int (*start)(void *), void *arg, char *const argv[], int cgroup_fd,
		   bool *moved);

/* COMMAND's slow starts, when spawn_shared cannot serve (no descriptor
 * for the exec pipe): a plain fork, or with cgroup_fd >= 0 a clone3
 * straight into that cgroup.  *moved says whether it is in it (false:
 * clone3 was refused, and the process must move itself).  The new
 * process does its own set-up (child_exec).  PID, 0 in the new process,
 * or -1 with errno. */
pid_t spawn_raw(int cgroup_fd, bool *moved);

#endif
