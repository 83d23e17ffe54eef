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
#include "terminal.h"
#include "timer.h"
#include "tree.h"
#include "util.h"

/* The rest of the tree: processes that left COMMAND's group too. */
static void signal_tree(struct run *run, int sig)
{
	char name[SIGNAME_MAX];
	int count = tree_signal(sig, run->child.pid, run->child.pid,
				child_has_pidfd(&run->child));

	if (run->options->verbose && count > 0)
		fprintf(stderr, "altimer: sending signal %s to %d more process%s of the command's tree\n",
			signal_name(sig, name) ? name : "?", count, count == 1 ? "" : "es");
}

/* Send sig to COMMAND (and its group) as GNU timeout does, saying so under
 * --verbose, and arm the one KILL timer that -k asks for.  Timeouts reach
 * the whole tree unless the user asked for GNU's narrower scope. */
static int send_stop_signal(struct run *run, int sig, bool whole_tree)
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
	whole_tree = whole_tree && group && options->contain;
	if (whole_tree)
		signal_tree(run, sig);
	/* A stopped command must still act on the signal. */
	if (group && sig != SIGKILL && sig != SIGCONT) {
		(void)child_signal(&run->child, SIGCONT, true);
		if (whole_tree)
			(void)tree_signal(SIGCONT, run->child.pid, run->child.pid,
					  child_has_pidfd(&run->child));
	}
	return 0;
}

static int on_deadline(struct run *run)
{
	run->timed_out = true;
	return send_stop_signal(run, run->options->timeout_signal, true);
}

static int on_kill_after(struct run *run)
{
	/* GNU counts the KILL as a timeout too (and reports 137). */
	run->timed_out = true;
	return send_stop_signal(run, SIGKILL, true);
}

/* Ctrl-Z stopped COMMAND's group.  Without altimer the shell would see its
 * job stop, so altimer stops too, holding the terminal for the shell; on
 * `fg` it hands the terminal back and continues COMMAND.  A deadline that
 * passed meanwhile is read from the signalfd right after. */
static void on_command_stopped(struct run *run)
{
	terminal_take_back(run->terminal);
	(void)raise(SIGSTOP);
	(void)terminal_give(run->terminal, run->child.pid);
	(void)child_signal(&run->child, SIGCONT, true);
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
		/* Orphans handed to altimer as subreaper must not pile up as
		 * zombies.  The command itself is reaped here only on the
		 * fallback path; on the other its pidfd says so first. */
		(void)tree_reap_orphans(run->child.pid);
		int r = child_try_reap(&run->child);
		if (r == 0 && run->terminal >= 0 && child_check_stopped(&run->child) > 0)
			on_command_stopped(run);
		return r < 0 ? r : 0;
	}
	/* GNU times out at once on a SIGALRM from outside. */
	if (sig == SIGALRM)
		return on_deadline(run);
	if (sigismember(&run->forwarded, sig))
		return send_stop_signal(run, sig, false);
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

int loop_clean_up_tree(struct run *run)
{
	const struct options *options = run->options;
	bool use_pidfd = child_has_pidfd(&run->child);
	int rounds, live = 0;

	if (!options->contain || options->foreground ||
	    !(run->timed_out || options->kill_leftovers))
		return 0;
	/* KILL cannot be refused, but a process may fork between a scan and
	 * its signal: repeat until a scan finds nobody alive. */
	for (rounds = 0; rounds < 200; rounds++) {
		struct pollfd fd = { .fd = run->signal_fd, .events = POLLIN };
		struct signalfd_siginfo info;

		live = tree_count_live();
		if (live <= 0)
			break;
		if (rounds == 0 && options->verbose)
			fprintf(stderr, "altimer: sending signal KILL to %d process%s left "
				"behind by the command\n", live, live == 1 ? "" : "es");
		(void)tree_signal(SIGKILL, 0, 0, use_pidfd);
		/* Wait for a SIGCHLD (or 50 ms) and reap what died. */
		(void)poll(&fd, 1, 50);
		while (read_retry(run->signal_fd, &info, sizeof info) > 0)
			;
		(void)tree_reap_orphans(0);
	}
	(void)tree_reap_orphans(0);
	if (live > 0) {
		fprintf(stderr, "altimer: %d process%s of the command could not be killed\n",
			live, live == 1 ? "" : "es");
		return -EBUSY;
	}
	return 0;
}
