/* hook.h - --on-timeout: a command of the user's, run at the limit before
 * the first signal, with a limit of its own. */
#ifndef ALTIMER_HOOK_H
#define ALTIMER_HOOK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <sys/types.h>

/* Signals that arrive while the hook runs, kept for the loop. */
#define HOOK_DEFERRED_MAX 64

struct hook {
	bool ran;		/* it was started (or tried to be) */
	int error;		/* errno when it could not be started, else 0 */
	int exit_code;		/* CLD_EXITED, CLD_KILLED or CLD_DUMPED; 0 unknown */
	int exit_status;	/* its exit status or signal number */
	const char *stopped_by;	/* NULL when it ended by itself, "limit" or
				 * "signal" (altimer was sent one) */
	uint64_t elapsed;	/* nanoseconds it ran */
	size_t deferred_count;	/* signals read from the signalfd meanwhile */
	/* Last: 8 KiB that take altimer's memory only when written. */
	struct signalfd_siginfo deferred[HOOK_DEFERRED_MAX];
};

/* What the hook is told in its environment. */
struct hook_context {
	const char *command;	/* run with /bin/sh -c */
	uint64_t limit;		/* nanoseconds */
	const char *pid;	/* ALTIMER_PID: COMMAND's pid */
	const char *pids;	/* ALTIMER_PIDS: the tree, space-separated */
	const char *reason;	/* ALTIMER_REASON: deadline, keepalive, trigger */
	int signal_fd;		/* altimer's signalfd, watched meanwhile */
	const sigset_t *stop_on;	/* of those signals, the ones that end it */
};

/* Run the hook and wait for it, at most its limit, or until one of
 * stop_on arrives.  Whatever it started is gone when this returns: it runs
 * under a keeper process, subreaper of the hook's tree, that KILLs what is
 * left of it when the hook ends or is stopped.  Every signal read from the
 * signalfd meanwhile is kept in hook->deferred, for the caller to act on
 * afterwards.  Never fails: a hook that cannot start has hook->error set. */
void hook_run(struct hook *hook, const struct hook_context *context);

#endif
