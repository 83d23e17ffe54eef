/* hook.c - --on-timeout: a command of the user's, run at the limit before
 * the first signal, with a limit of its own.
 *
 * The hook does not run as altimer's child but under a keeper, a forked
 * copy of altimer that is the subreaper of the hook's tree.  That keeps the
 * two trees apart: a daemon the hook leaves behind is handed to the keeper,
 * never to altimer, where the command's tree walk would take it for part of
 * the command.  When the hook's shell ends, or altimer asks (TERM, also
 * sent by the kernel if altimer dies), the keeper KILLs its own children
 * until it has none, then reports the shell's status on a pipe and exits.
 * altimer meanwhile waits on that pipe and on its signalfd, so neither a
 * hung hook nor a signal from outside can keep it waiting past the limit. */
#include "config.h"
#include "hook.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spawn.h"
#include "tree.h"
#include "util.h"

/* How long the keeper may take to clear the hook's tree once asked. */
#define KEEPER_GRACE_MS 2000

/* KILL the hook's group at once, then whatever is left of its tree. */
static void keeper_clear(pid_t shell, int *status, const sigset_t *waited)
{
	/* The group's id is safe while its leader, the shell, is unreaped. */
	if (*status == -1)
		(void)kill(-shell, SIGKILL);
	(void)tree_kill_until_empty(shell, status, waited);
}

/* The signals the keeper waits for, blocked from its birth. */
static void keeper_signals(sigset_t *waited)
{
	sigemptyset(waited);
	sigaddset(waited, SIGCHLD);
	sigaddset(waited, SIGTERM);
}

/* The keeper: runs the hook under /bin/sh, waits for it or for TERM,
 * clears its tree, and writes the shell's wait status to report_fd. */
static _Noreturn void keeper_main(const struct hook_context *context, int report_fd)
{
	/* The hook starts as a command started by a shell would: its own
	 * group, no signal blocked or ignored by altimer, no terminal input
	 * to steal, its output on altimer's stderr. */
	static const int reset[] = { SIGTTIN, SIGTTOU, SIGPIPE, SIGCHLD, 0 };
	sigset_t waited, empty;
	int status = -1;
	pid_t shell;

	keeper_signals(&waited);
	sigemptyset(&empty);
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (setenv("ALTIMER_PID", context->pid, 1) < 0 ||
	    setenv("ALTIMER_PIDS", context->pids, 1) < 0 ||
	    setenv("ALTIMER_REASON", context->reason, 1) < 0)
		_exit(1);

	shell = spawn_fork(&(struct spawn_options){
		.new_group = true, .defaults = reset, .mask = &empty });
	if (shell < 0)
		_exit(1);
	if (shell == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0) {
			(void)dup2(null, STDIN_FILENO);
			if (null != STDIN_FILENO)
				close(null);
		}
		(void)dup2(STDERR_FILENO, STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", context->command, (char *)NULL);
		_exit(127);
	}

	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&waited, &info);
		int wstatus;
		pid_t pid;

		if (sig == SIGTERM)
			break;
		while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0)
			if (pid == shell)
				status = wstatus;
		if (status != -1)
			break;
	}
	keeper_clear(shell, &status, &waited);
	(void)write_all(report_fd, &status, sizeof status);
	_exit(0);
}

/* Read the signals that arrived, keep them for the loop; returns true when
 * one of them ends the hook. */
static bool read_signals(struct hook *hook, const struct hook_context *context)
{
	struct signalfd_siginfo info;
	bool stop = false;

	while (read_retry(context->signal_fd, &info, sizeof info) == (ssize_t)sizeof info) {
		if (sigismember(context->stop_on, (int)info.ssi_signo))
			stop = true;
		if (hook->deferred_count < HOOK_DEFERRED_MAX)
			hook->deferred[hook->deferred_count++] = info;
	}
	return stop;
}

static void record_status(struct hook *hook, int status)
{
	if (status < 0)
		return;
	if (WIFEXITED(status)) {
		hook->exit_code = CLD_EXITED;
		hook->exit_status = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		hook->exit_code = WCOREDUMP(status) ? CLD_DUMPED : CLD_KILLED;
		hook->exit_status = WTERMSIG(status);
	}
}

void hook_run(struct hook *hook, const struct hook_context *context)
{
	uint64_t started = clock_ns(CLOCK_MONOTONIC), until;
	int fds[2], status = -1;
	bool asked = false;
	sigset_t mask, waited;
	pid_t keeper;

	hook->ran = true;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		hook->error = errno;
		return;
	}
	/* If altimer dies, the keeper still clears the hook's tree. */
	keeper_signals(&waited);
	(void)sigprocmask(SIG_BLOCK, NULL, &mask);
	(void)sigorset(&mask, &mask, &waited);
	keeper = spawn_fork(&(struct spawn_options){
		.name = "altimer-hook", .death_signal = SIGTERM, .orphan_status = 1,
		.mask = &mask });
	if (keeper < 0) {
		hook->error = -keeper;
		close_quietly(fds[0]);
		close_quietly(fds[1]);
		return;
	}
	if (keeper == 0) {
		close(fds[0]);
		close(context->signal_fd);
		keeper_main(context, fds[1]);
	}
	close_quietly(fds[1]);

	until = started + context->limit;
	if (until < started)
		until = UINT64_MAX;
	for (;;) {
		struct pollfd polled[2] = {
			{ .fd = fds[0], .events = POLLIN },
			{ .fd = asked ? -1 : context->signal_fd, .events = POLLIN },
		};
		uint64_t now = clock_ns(CLOCK_MONOTONIC);
		int timeout = now >= until ? 0
			      : until - now > (uint64_t)INT32_MAX * 1000000u ? INT32_MAX
			      : (int)((until - now + 999999) / 1000000);
		int r = poll(polled, 2, timeout);

		if (r < 0 && errno != EINTR)
			break;
		if (r > 0 && polled[0].revents) {
			/* The status, then EOF; EOF alone if the keeper died. */
			if (read_retry(fds[0], &status, sizeof status) != (ssize_t)sizeof status)
				status = -1;
			break;
		}
		if (r > 0 && polled[1].revents && read_signals(hook, context) && !asked) {
			hook->stopped_by = "signal";
			(void)kill(keeper, SIGTERM);
			asked = true;
			until = clock_ns(CLOCK_MONOTONIC) + KEEPER_GRACE_MS * 1000000u;
			continue;
		}
		if (r == 0 && !asked) {
			hook->stopped_by = "limit";
			(void)kill(keeper, SIGTERM);
			asked = true;
			until = clock_ns(CLOCK_MONOTONIC) + KEEPER_GRACE_MS * 1000000u;
		} else if (r == 0) {
			/* The keeper itself is stuck (stopped from outside):
			 * what is left of the hook goes to altimer, whose
			 * clean-up KILLs it with the command's tree. */
			(void)kill(keeper, SIGKILL);
			break;
		}
	}
	close_quietly(fds[0]);
	(void)waitpid(keeper, NULL, 0);
	record_status(hook, status);
	hook->elapsed = clock_ns(CLOCK_MONOTONIC) - started;
}
