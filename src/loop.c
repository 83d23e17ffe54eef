/* loop.c - the poll() loop: every event altimer waits for, and what it does.
 *
 * altimer sleeps in poll() until something happens: COMMAND's output
 * (under --keepalive) and notify messages (under --notify) are signs of
 * life, the exec pipe reports how exec went, the pidfd turns readable when
 * COMMAND ends, and the signalfd delivers timer expirations and the signals
 * altimer blocked for itself.  Nothing wakes it on a clock. */
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
#include "report.h"
#include "timer.h"
#include "tree.h"
#include "util.h"

_Static_assert(TIMER_LADDER + LADDER_MAX <= TIMER_ROLE_COUNT,
	       "every ladder step needs a timer role");

static const char *name_of(int sig, char *buf)
{
	if (signal_name(sig, buf) == NULL)
		snprintf(buf, SIGNAME_MAX, "%d", sig);
	return buf;
}

/* -v, in GNU timeout's words. */
static void say_sending(const struct run *run, int sig)
{
	char name[SIGNAME_MAX];

	if (run->options->verbose)
		fprintf(stderr, "altimer: sending signal %s to command '%s'\n",
			name_of(sig, name), run->options->command[0]);
}

/* The rest of the tree: processes that left COMMAND's group too. */
static void signal_tree(struct run *run, int sig, const char *cause, int step)
{
	char name[SIGNAME_MAX];
	int count = tree_signal(sig, run->child.pid, run->child.pid,
				child_has_pidfd(&run->child), false);

	if (count <= 0)
		return;
	report_signal(&run->report, sig, "tree", run->child.pid, count, cause, step);
	if (run->options->verbose)
		fprintf(stderr, "altimer: sending signal %s to %d more process%s of the command's tree\n",
			name_of(sig, name), count, count == 1 ? "" : "es");
}

/* The first signal of a stop starts the rest of the ladder, each step on
 * its own timer, at its offset from now (GNU arms -k's KILL the same way,
 * once, whatever the first signal was). */
static int ladder_start(struct run *run)
{
	const struct options *options = run->options;
	uint64_t at = 0;

	if (run->ladder_started)
		return 0;
	run->ladder_started = true;
	for (int step = 1; step < options->ladder_steps; step++) {
		uint64_t delay = options->ladder[step].delay;

		if (delay == DURATION_NONE || at > DURATION_NONE - 1 - delay)
			break; /* this step, and so every later one, never comes */
		at += delay;
		/* 0 disarms a POSIX timer: "at once" is the next nanosecond. */
		int r = timer_arm(TIMER_LADDER + step, at ? at : 1, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Send sig to COMMAND (and its group) as GNU timeout does, saying so under
 * --verbose, and start the ladder.  Timeouts reach the whole tree unless
 * the user asked for GNU's narrower scope.  cause and step go into the
 * report. */
static int send_stop_signal(struct run *run, int sig, bool whole_tree,
			    const char *cause, int step)
{
	const struct options *options = run->options;
	bool group = !options->foreground;
	const char *target = group ? "group" : "command";
	int r;

	if ((r = ladder_start(run)) < 0)
		return r;
	say_sending(run, sig);
	/* The rest of the tree first, while the command still holds it: once
	 * the group's signal has killed the command, its children are being
	 * handed to altimer, and a walk of the children lists can miss them
	 * (the clean-up would still KILL them, but without the ladder). */
	whole_tree = whole_tree && group && options->contain;
	if (whole_tree)
		signal_tree(run, sig, cause, step);
	r = child_signal(&run->child, sig, group);
	if (r < 0 && r != -ESRCH)
		return r;
	if (r == 0)
		report_signal(&run->report, sig, target, run->child.pid, -1, cause, step);
	/* A stopped command must still act on the signal. */
	if (group && sig != SIGKILL && sig != SIGCONT) {
		if (child_signal(&run->child, SIGCONT, true) == 0)
			report_signal(&run->report, SIGCONT, target, run->child.pid, -1,
				      cause, step);
		if (whole_tree)
			(void)tree_signal(SIGCONT, run->child.pid, run->child.pid,
					  child_has_pidfd(&run->child), false);
	}
	return 0;
}

/* USR1 and USR2 (which GNU timeout does not pass on) ask COMMAND for
 * something, such as a progress line: they go to it as they came, without
 * starting the ladder or continuing a stopped command. */
static int pass_on(struct run *run, int sig)
{
	const struct options *options = run->options;
	int r;

	say_sending(run, sig);
	r = child_signal(&run->child, sig, !options->foreground);
	if (r == 0)
		report_signal(&run->report, sig, options->foreground ? "command" : "group",
			      run->child.pid, -1, "forwarded", -1);
	return r == -ESRCH ? 0 : r;
}

/* A limit fired: deadline, keepalive or WATCHDOG=trigger.  The first one
 * starts the ladder; the others have nothing left to do. */
static int on_limit(struct run *run, const char *reason)
{
	if (run->timed_out && run->reason != NULL)
		return 0;
	run->timed_out = true;
	run->reason = reason;
	timer_disarm(TIMER_DEADLINE);
	timer_disarm(TIMER_KEEPALIVE);
	/* Notes are for a command at work, not one being stopped. */
	timer_disarm(TIMER_EVERY);
	return send_stop_signal(run, run->options->timeout_signal, true, reason, 0);
}

static int on_deadline(struct run *run)
{
	char shown[32];

	if (run->options->verbose)
		fprintf(stderr, "altimer: deadline: command '%s' still running after %s\n",
			run->options->command[0],
			duration_format(run->options->duration, shown, sizeof shown));
	return on_limit(run, "deadline");
}

static int on_keepalive(struct run *run)
{
	char shown[32];

	if (run->options->verbose)
		fprintf(stderr, "altimer: keepalive: no sign of life from command '%s' for %s\n",
			run->options->command[0], duration_format(run->keepalive, shown, sizeof shown));
	return on_limit(run, "keepalive");
}

/* A sign of life: output, or WATCHDOG=1. */
static int keepalive_rearm(struct run *run)
{
	if (run->keepalive == DURATION_NONE || run->timed_out)
		return 0;
	return timer_arm(TIMER_KEEPALIVE, run->keepalive, 0);
}

static int on_notify(struct run *run)
{
	const struct options *options = run->options;
	struct notify_message message;
	const char *why = "";
	int r;

	while ((r = notify_receive(&run->notify, &message, &why)) != 0) {
		if (r == -EINVAL) {
			if (options->verbose)
				fprintf(stderr, "altimer: ignored a notify message: %s\n", why);
			continue;
		}
		if (r < 0)
			return r;
		if (message.ready && options->verbose)
			fprintf(stderr, "altimer: command '%s' is ready (READY=1)\n", options->command[0]);
		if (message.has_status && options->verbose)
			fprintf(stderr, "altimer: command '%s' status: %s\n", options->command[0],
				run->notify.status);
		if (message.watchdog_usec) {
			run->keepalive = message.watchdog_usec > DURATION_NONE / 1000 / 2
						 ? DURATION_NONE : message.watchdog_usec * 1000;
			if (run->keepalive == DURATION_NONE)
				timer_disarm(TIMER_KEEPALIVE);
		}
		if ((message.watchdog || message.watchdog_usec) && (r = keepalive_rearm(run)) < 0)
			return r;
		if (message.extend_usec && timer_is_armed(TIMER_DEADLINE) && !run->timed_out) {
			uint64_t extend = message.extend_usec > DURATION_NONE / 1000 / 2
						  ? DURATION_NONE : message.extend_usec * 1000;
			/* As systemd: the deadline becomes "now + extend" if later. */
			if (extend == DURATION_NONE)
				timer_disarm(TIMER_DEADLINE);
			else if (extend > timer_remaining(TIMER_DEADLINE) &&
				 (r = timer_arm(TIMER_DEADLINE, extend, 0)) < 0)
				return r;
		}
		if (message.trigger) {
			if (options->verbose)
				fprintf(stderr, "altimer: command '%s' asked to time out (WATCHDOG=trigger)\n",
					options->command[0]);
			if ((r = on_limit(run, "trigger")) < 0)
				return r;
		}
	}
	return 0;
}

/* A later step of the ladder: the command outlived the one before. */
static int on_ladder_step(struct run *run, int step)
{
	/* GNU counts -k's KILL as a timeout too (and reports 137). */
	run->timed_out = true;
	return send_stop_signal(run, run->options->ladder[step].signal, true, "ladder", step);
}

/* --every: one note per expiration record; the count includes the
 * expirations the kernel folded into it (overruns), which get no signal of
 * their own, as a standard signal pending twice is delivered once. */
static int on_every(struct run *run)
{
	const struct options *options = run->options;
	int r;

	say_sending(run, options->every_signal);
	r = child_signal(&run->child, options->every_signal, false);
	if (r == -ESRCH)
		return 0;
	if (r < 0)
		return r;
	run->notes_sent++;
	report_signal(&run->report, options->every_signal, "command", run->child.pid, 1,
		      "every", -1);
	return 0;
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
		int role = info->ssi_int;

		if (role < 0 || role >= TIMER_ROLE_COUNT)
			return 0;
		/* One record stands for 1 + overrun expirations. */
		run->expirations[role] += 1 + (uint64_t)info->ssi_overrun;
		if (role == TIMER_EVERY)
			return on_every(run);
		timer_disarm((enum timer_role)role);
		if (role == TIMER_DEADLINE)
			return on_deadline(run);
		if (role == TIMER_KEEPALIVE)
			return on_keepalive(run);
		if (role > TIMER_LADDER && role - TIMER_LADDER < run->options->ladder_steps)
			return on_ladder_step(run, role - TIMER_LADDER);
		return 0;
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
	if (sig == SIGALRM) {
		run->timed_out = true;
		if (run->reason == NULL)
			run->reason = "deadline";
		timer_disarm(TIMER_EVERY);
		return send_stop_signal(run, run->options->timeout_signal, true, "deadline", 0);
	}
	if (sigismember(&run->forwarded, sig)) {
		run->forwarded_signal = sig;
		if ((sig == SIGUSR1 || sig == SIGUSR2) && sig != run->options->timeout_signal)
			return pass_on(run, sig);
		return send_stop_signal(run, sig, false, "forwarded", -1);
	}
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
		struct pollfd fds[6];
		nfds_t count = 0;
		int exec_slot = -1, child_slot = -1, notify_slot = -1;
		size_t relay_slot[2];

		fds[count++] = (struct pollfd){ .fd = run->signal_fd, .events = POLLIN };
		if (child->exec_pipe >= 0) {
			exec_slot = (int)count;
			fds[count++] = (struct pollfd){ .fd = child->exec_pipe, .events = POLLIN };
		}
		if (child->pidfd >= 0) {
			child_slot = (int)count;
			fds[count++] = (struct pollfd){ .fd = child->pidfd, .events = POLLIN };
		}
		if (run->notify.fd >= 0) {
			notify_slot = (int)count;
			fds[count++] = (struct pollfd){ .fd = run->notify.fd, .events = POLLIN };
		}
		size_t first_relay = count;
		count += relay_poll_fds(&run->relay, fds + count, relay_slot);

		if (poll(fds, count, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}

		/* Output and heartbeats first: a sign of life that arrived with
		 * the keepalive's expiry keeps the command alive. */
		for (int i = 0; i < 2; i++) {
			if (relay_slot[i] == (size_t)-1 || !fds[first_relay + relay_slot[i]].revents)
				continue;
			long moved = relay_pump(&run->relay, i, fds[first_relay + relay_slot[i]].revents);
			if (moved > 0 && (r = keepalive_rearm(run)) < 0)
				return r;
		}
		if (notify_slot >= 0 && fds[notify_slot].revents && (r = on_notify(run)) < 0)
			return r;
		/* Exec result next: a failed exec also ends the child. */
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
	run->report.ended = report_clock();
	/* Nothing the command wrote is lost. */
	relay_drain(&run->relay);
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
	bool announced = false;

	if (!options->contain || options->foreground ||
	    !(run->timed_out || options->kill_leftovers))
		return 0;
	/* KILL cannot be refused, but a process may fork between a scan and
	 * its signal: repeat until a scan finds nobody alive. */
	for (rounds = 0; rounds < 200; rounds++) {
		struct pollfd fd = { .fd = run->signal_fd, .events = POLLIN };
		struct signalfd_siginfo info;

		/* Thorough: nothing may slip through while being reparented. */
		(void)tree_reap_orphans(0);
		live = tree_has_children() ? tree_count_live(true) : 0;
		if (live <= 0)
			break;
		/* Those already dying of a KILL are waited for, not killed. */
		int killed = tree_signal(SIGKILL, 0, 0, use_pidfd, true);
		if (killed > 0) {
			if (!announced && options->verbose)
				fprintf(stderr, "altimer: sending signal KILL to %d process%s "
					"left behind by the command\n", killed,
					killed == 1 ? "" : "es");
			announced = true;
			report_signal(&run->report, SIGKILL, "leftovers", run->child.pid,
				      killed, "clean-up", -1);
		}
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
