/* child.h - starting COMMAND, holding it by a pidfd, signalling and reaping it. */
#ifndef ALTIMER_CHILD_H
#define ALTIMER_CHILD_H

#include <signal.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>

#include "pidref.h"
#include "util.h"
#include "relay.h"

struct child {
	pid_t pid;
	struct pidref handle;	/* a pidfd, where allowed */
	int exec_pipe;		/* read end: errno from a failed exec, or EOF */
	bool own_group;		/* COMMAND leads its own process group */
	bool reaped;
	/* It ended itself before its exec, its deadline passed (child.c):
	 * a timeout, whether or not the timer's expiry has been read. */
	bool deadline_before_exec;
	int si_code;		/* CLD_EXITED, CLD_KILLED or CLD_DUMPED */
	int status;		/* exit status or signal number */
	struct rusage usage;	/* COMMAND's CPU time and peak memory */
};

/* How COMMAND starts: what it must inherit rather than what altimer set up
 * for itself. */
struct spawn_plan {
	char **argv;
	pid_t parent;			/* altimer: COMMAND dies with it */
	bool new_group;			/* put COMMAND in its own process group */
	int terminal;			/* give this terminal to that group, or -1 */
	const struct relay *relay;	/* COMMAND's stdout/stderr pipes */
	struct signal_restore restore;	/* the caller's dispositions */
	unsigned closed_standard_fds;	/* bit n: close fd n, as altimer got it */
	int death_signal;		/* COMMAND gets it if altimer dies */
	bool has_deadline;		/* COMMAND has a deadline, at: */
	clockid_t deadline_clock;
	struct timespec deadline;
	int cgroup_fd;			/* start COMMAND in this cgroup, or -1 */
};

/* fork and exec COMMAND, and take a pidfd on it before it can be reaped.
 * Returns 0 or -errno (fork failed: the caller exits 125). */
int child_spawn(struct child *child, const struct spawn_plan *plan);

/* Read the exec pipe once it is readable: 0 when COMMAND is running, or the
 * positive errno with which exec failed.  0 too, with deadline_before_exec
 * set, when the child ended itself before its exec, its deadline passed. */
int child_exec_result(struct child *child);

/* Send sig to COMMAND, and to its process group when to_group is set,
 * through its process handle (pidref.h).  Returns 0 or -errno. */
int child_signal(struct child *child, int sig, bool to_group);

/* Collect COMMAND's status if it has ended.  Returns 1 when reaped, 0 when
 * still running, -errno on failure. */
int child_try_reap(struct child *child);

/* Whether COMMAND has stopped (Ctrl-Z, SIGSTOP) since the last check.
 * Returns the signal that stopped it, 0 when none did, -errno on failure. */
int child_check_stopped(struct child *child);

#endif
