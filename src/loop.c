/* loop.c - the poll() loop: every event altimer waits for, and what it does.
 *
 * altimer sleeps in poll() until something happens: the exec pipe reports
 * how exec went, the pidfd turns readable when COMMAND ends, and the
 * signalfd delivers timer expirations and the signals altimer blocked for
 * itself.  Nothing wakes it on a clock. */
#include "config.h"
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>

#include "duration.h"
#include "signames.h"
#include "timer.h"
#include "util.h"

/* Send sig to COMMAND (and its group) as GNU timeout does, saying so under
 * --verbose, and arm the one KILL timer that -k asks for. */
static int send_stop_signal(struct run *run, int sig)
{
	const struct options *options = run->options;
	bool group = !options->foreground;
	char name[SIGNAME_MAX];
	int r;

	if (!run->kill_after_used && options->kill_after != DURATION_NONE) {
		run->kill_after_used = true;
		r = timer_arm(TIMER_KILL_AFTER, options->kill_after, 0);
		if (r < 0)
			return r;
	}
	if (options->verbose) {
		if (signal_name(sig, name) == NULL)
			snprintf(name, sizeof name, "%d", sig);
		fprintf(stderr, "altimer: sending signal %s to command '%s'\n",
			name, options->command[0]);
	}
	r = child_signal(&run->child, sig, group);
	if (r < 0 && r != -ESRCH)
		return r;
	/* A stopped command must still act on the signal. */
	if (group && sig != SIGKILL && sig != SIGCONT)
		(void)child_signal(&run->child, SIGCONT, true);
	return 0;
}

static int on_deadline(struct run *run)
{
	run->timed_out = true;
	return send_stop_signal(run, run->options->timeout_signal);
}

static int on_kill_after(struct run *run)
{
	/* GNU counts the KILL as a timeout too (and reports 137). */
	run->timed_out = true;
	return send_stop_signal(run, SIGKILL);
}

static int on_signal(struct run *run, const struct signalfd_siginfo *info)
{
	int sig = (int)info->ssi_signo;

	if (sig == timer_signal() && info->ssi_code == SI_TIMER) {
		switch ((enum timer_role)info->ssi_int) {
		case TIMER_DEADLINE:
			timer_disarm(TIMER_DEADLINE);
			return on_deadline(run);
		case TIMER_KILL_AFTER:
			timer_disarm(TIMER_KILL_AFTER);
			return on_kill_after(run);
		default:
			return 0;
		}
	}
	if (sig == SIGCHLD) {
		/* Only needed on the fallback path; harmless on the other. */
		int r = child_try_reap(&run->child);
		return r < 0 ? r : 0;
	}
	/* GNU times out at once on a SIGALRM from outside. */
	if (sig == SIGALRM)
		return on_deadline(run);
	if (sigismember(&run->forwarded, sig))
		return send_stop_signal(run, sig);
	return 0;
}

static int drain_signal_fd(struct run *run)
{
	struct signalfd_siginfo infos[16];

	for (;;) {
		ssize_t n = read_retry(run->signal_fd, infos, sizeof infos);
		if (n == -EAGAIN)
			return 0;
		if (n < 0)
			return (int)n;
		for (size_t i = 0; i < (size_t)n / sizeof infos[0]; i++) {
			/* Once COMMAND is gone there is nobody left to signal. */
			if (run->child.reaped)
				return 0;
			int r = on_signal(run, &infos[i]);
			if (r < 0)
				return r;
		}
	}
}

int loop_run(struct run *run)
{
	struct child *child = &run->child;
	int r;

	while (!child->reaped) {
		struct pollfd fds[3];
		nfds_t count = 0;
		int exec_slot = -1, child_slot = -1;

		fds[count++] = (struct pollfd){ .fd = run->signal_fd, .events = POLLIN };
		if (child->exec_pipe >= 0) {
			exec_slot = (int)count;
			fds[count++] = (struct pollfd){ .fd = child->exec_pipe, .events = POLLIN };
		}
		if (child->pidfd >= 0) {
			child_slot = (int)count;
			fds[count++] = (struct pollfd){ .fd = child->pidfd, .events = POLLIN };
		}

		if (poll(fds, count, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}

		/* Exec result first: a failed exec also ends the child. */
		if (exec_slot >= 0 && fds[exec_slot].revents)
			run->exec_error = child_exec_result(child);
		/* An exit seen in the same wake-up as a timer wins: the command
		 * finished in time, nothing is signalled after it. */
		if (child_slot >= 0 && fds[child_slot].revents) {
			r = child_try_reap(child);
			if (r < 0)
				return r;
		}
		if (fds[0].revents && !child->reaped) {
			r = drain_signal_fd(run);
			if (r < 0)
				return r;
		}
	}
	/* The exec pipe may still hold an errno the loop did not read yet. */
	if (child->exec_pipe >= 0)
		run->exec_error = child_exec_result(child);
	return 0;
}
