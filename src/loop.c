/* loop.c - the poll() loop: every event altimer waits for, and what it does.
 *
 * altimer sleeps in poll() until something happens: COMMAND's output
 * (under --keepalive) and notify messages (under --notify) are signs of
 * life, the exec pipe reports how exec went, the pidfd turns readable when
 * COMMAND ends, and the signalfd delivers timer expirations and the signals
 * altimer blocked for itself (timer expirations come from timerfds instead
 * when RLIMIT_SIGPENDING denies POSIX timers).  Nothing wakes it on a clock.
 *
 * What to send to whom when a limit fires or a signal is passed on is
 * the stop policy's (stop.c); the loop reads the events and dispatches. */
#include "config.h"
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "diag.h"
#include "duration.h"
#include "leftovers.h"
#include "terminal.h"
#include "report.h"
#include "timer.h"
#include "tree.h"
#include "util.h"

/* altimer's own lines, beyond GNU's: -vv. */
static bool verbose_extra(const struct run *run)
{
	return run->options->verbose >= 2;
}

static int on_signal(struct run *run, const struct signalfd_siginfo *info);

/* Signals that came while the hook ran, acted on now, in order. */
static int replay_deferred(struct run *run)
{
	struct hook *hook = &run->hook;
	size_t count = hook->deferred_count;

	hook->deferred_count = 0;
	for (size_t i = 0; i < count && !run->child.reaped; i++) {
		int r = on_signal(run, &hook->deferred[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A stop (stop.c), then the signals that came while its --on-timeout
 * command ran, dispatched in order as if they came now. */
static int stop(struct run *run, enum stop_cause cause, int sig)
{
	int r = stop_begin(run, cause, sig);

	return r < 0 ? r : replay_deferred(run);
}

static int on_deadline(struct run *run)
{
	char shown[32], quoted[4096];

	if (verbose_extra(run))
		diag("deadline: command %s still running after %s",
		     diag_quote(run->options->command[0], quoted, sizeof quoted),
		     duration_format(run->options->duration, shown, sizeof shown));
	/* After an ALRM from outside, the deadline is one more ALRM, as in
	 * GNU: it sends the next signal. */
	return stop(run, run->stop.reason ? STOP_ALARM : STOP_DEADLINE,
			  run->options->timeout_signal);
}

/* COMMAND's child saw its deadline pass and ended itself before its exec
 * (child.c): the timeout it is, though the timer's expiry may not have
 * been read yet (its interrupt can come after the clock has passed). */
static int deadline_before_exec(struct run *run)
{
	if (!run->child.deadline_before_exec || !timer_is_armed(TIMER_DEADLINE))
		return 0;
	run->expirations[TIMER_DEADLINE]++;
	timer_disarm(TIMER_DEADLINE);
	return on_deadline(run);
}

static int keepalive_rearm(struct run *run);

static int on_keepalive(struct run *run)
{
	char shown[32], quoted[4096];

	/* A command held up by a reader downstream that takes nothing is
	 * not silent: it is waiting, as it would be without altimer. */
	if (relay_blocked(&run->relay))
		return keepalive_rearm(run);

	if (verbose_extra(run))
		diag("keepalive: no sign of life from command %s for %s",
		     diag_quote(run->options->command[0], quoted, sizeof quoted),
		     duration_format(run->keepalive, shown, sizeof shown));
	return stop(run, STOP_KEEPALIVE, run->options->timeout_signal);
}

/* A sign of life: output, or WATCHDOG=1. */
static int keepalive_rearm(struct run *run)
{
	if (run->keepalive == DURATION_NONE || run->stop.timed_out)
		return 0;
	return timer_arm(TIMER_KEEPALIVE, run->keepalive, 0);
}

/* A notify value in microseconds, as nanoseconds; saturates to NONE. */
static uint64_t usec_to_ns(uint64_t usec)
{
	return usec > DURATION_NONE / 1000 / 2 ? DURATION_NONE : usec * 1000;
}

static int on_notify(struct run *run)
{
	struct notify_message message;
	char quoted[4096];
	const char *why = "";
	int r;

	while ((r = notify_receive(&run->notify, &message, &why)) != 0) {
		if (r == -EINVAL) {
			if (verbose_extra(run))
				diag("ignored a notify message: %s", why);
			continue;
		}
		if (r < 0)
			return r;
		if (message.ignored > 0 && verbose_extra(run))
			diag("ignored %d malformed line%s of a notify message", message.ignored,
			     message.ignored == 1 ? "" : "s");
		diag_quote(run->options->command[0], quoted, sizeof quoted);
		if (message.ready && verbose_extra(run))
			diag("command %s is ready (READY=1)", quoted);
		if (message.has_status && verbose_extra(run))
			diag("command %s status: %s", quoted, run->notify.status);
		if (message.watchdog_usec) {
			run->keepalive = usec_to_ns(message.watchdog_usec);
			if (run->keepalive == DURATION_NONE)
				timer_disarm(TIMER_KEEPALIVE);
		}
		if ((message.watchdog || message.watchdog_usec) && (r = keepalive_rearm(run)) < 0)
			return r;
		if (message.extend_usec && timer_is_armed(TIMER_DEADLINE) && !run->stop.timed_out) {
			uint64_t extend = usec_to_ns(message.extend_usec);
			/* As systemd: the deadline becomes "now + extend" if later. */
			if (extend == DURATION_NONE)
				timer_disarm(TIMER_DEADLINE);
			else if (extend > timer_remaining(TIMER_DEADLINE) &&
				 (r = timer_arm(TIMER_DEADLINE, extend, 0)) < 0)
				return r;
		}
		if (message.trigger) {
			if (verbose_extra(run))
				diag("command %s asked to time out (WATCHDOG=trigger)", quoted);
			if ((r = stop(run, STOP_TRIGGER, run->options->timeout_signal)) < 0)
				return r;
		}
	}
	return 0;
}

/* --every: one note per expiration record; the count includes the
 * expirations the kernel folded into it (overruns), which get no signal of
 * their own, as a standard signal pending twice is delivered once. */
static int on_every(struct run *run)
{
	const struct options *options = run->options;
	int r;

	/* Until its exec COMMAND is a copy of altimer, with no handler of the
	 * command's for the note: most notes (USR1, RTMIN+N) would kill it,
	 * and altimer would then die of its own note.  The expiration still
	 * counts; the note waits for the next one. */
	if (!stop_command_has_run(run))
		return 0;
	stop_say_sending(run, options->every_signal);
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

/* --heartbeat: a span as a log reader takes it in: 4.2s, 3m05s, 2h03m07s. */
static const char *span(uint64_t ns, char *buf, size_t size)
{
	uint64_t s = ns / 1000000000u;

	if (s < 60)
		snprintf(buf, size, "%.1fs", (double)ns / 1e9);
	else if (s < 3600)
		snprintf(buf, size, "%um%02us", (unsigned)(s / 60), (unsigned)(s % 60));
	else
		snprintf(buf, size, "%lluh%02um%02us", (unsigned long long)(s / 3600),
			 (unsigned)(s / 60 % 60), (unsigned)(s % 60));
	return buf;
}

/* --heartbeat: COMMAND has been silent for an INTERVAL (or, without the
 * relay, another INTERVAL has passed): one line of what it is doing, from
 * the same /proc reading as the snapshot's.  However late altimer is (an
 * overrun), one line. */
static void on_heartbeat(struct run *run)
{
	struct snapshot_totals totals;
	pid_t *pids = NULL;
	uint64_t now = clock_ns(CLOCK_MONOTONIC);
	char ran[32], left[48], cpu[32], quiet[64], part[32];
	int count = containment_list(&run->containment, &pids);

	snapshot_totals(pids, count > 0 ? (size_t)count : 0, &totals);
	free(pids);
	span(now - run->report.zero, ran, sizeof ran);
	if (timer_is_armed(TIMER_DEADLINE))
		snprintf(left, sizeof left, "%s left",
			 span(timer_remaining(TIMER_DEADLINE), part, sizeof part));
	else
		snprintf(left, sizeof left, "no deadline");
	span(totals.cpu, cpu, sizeof cpu);
	if (!run->relay.active)
		snprintf(quiet, sizeof quiet, "output not watched (no --keepalive)");
	else if (run->last_output == 0)
		snprintf(quiet, sizeof quiet, "no output yet");
	else
		snprintf(quiet, sizeof quiet, "%s since output",
			 span(now - run->last_output, part, sizeof part));
	diag("heartbeat: running %s, %s, %zu process%s, CPU %s, memory %.1f MiB, %s", ran,
	     left, totals.processes, totals.processes == 1 ? "" : "es", cpu,
	     (double)totals.rss_kib / 1024, quiet);
	run->heartbeats++;
}

/* Output: the silence a heartbeat waits for starts again. */
static int heartbeat_rearm(struct run *run)
{
	uint64_t interval = run->options->heartbeat;

	if (interval == DURATION_NONE || run->stop.timed_out)
		return 0;
	run->last_output = clock_ns(CLOCK_MONOTONIC);
	return timer_arm(TIMER_HEARTBEAT, interval, interval);
}

/* altimer's job is in the foreground (after `fg`): COMMAND gets the
 * terminal.  Either way COMMAND's group is continued, since the shell's
 * CONT reached altimer's group only; after `bg` it runs in the background
 * and, should it read the terminal, stops with SIGTTIN as any job. */
static void continue_command(struct run *run)
{
	if (terminal_in_foreground(run->terminal, getpgrp()))
		(void)terminal_give(run->terminal, run->child.pid);
	(void)child_signal(&run->child, SIGCONT, true);
}

/* COMMAND's group stopped, by sig.  Without altimer the shell would see
 * its job stop, so altimer stops too, with the same signal (Ctrl-Z: TSTP,
 * $? 148, "Stopped"), holding the terminal for the shell, and continues
 * COMMAND when the shell continues it.  A deadline that passed meanwhile
 * is read from the signalfd right after. */
static void on_command_stopped(struct run *run, int sig)
{
	/* A read or write of the terminal from the background while
	 * altimer's own group is the foreground: the shell ran `fg` on the
	 * running job, which tells altimer nothing.  Nobody stopped the job:
	 * COMMAND just did not have the terminal yet. */
	if ((sig == SIGTTIN || sig == SIGTTOU) &&
	    terminal_in_foreground(run->terminal, getpgrp())) {
		continue_command(run);
		return;
	}
	terminal_take_back(run->terminal, run->child.pid);
	/* Nobody can `fg` an orphaned job: continuing COMMAND after a read
	 * from the background would only stop it again, at once, in a loop.
	 * It stays stopped; the deadline still ends it. */
	if (!terminal_stop_self(sig) && (sig == SIGTTIN || sig == SIGTTOU))
		return;
	continue_command(run);
}

/* TSTP reached altimer's group, not COMMAND's: Ctrl-Z after `fg` of the
 * job that `bg` had continued (altimer's group holds the terminal then),
 * or a TSTP sent to altimer.  The job stops as a whole: COMMAND first,
 * and its stop stops altimer. */
static void on_stop_request(struct run *run)
{
	(void)child_signal(&run->child, SIGTSTP, true);
}

static int on_timer(struct run *run, enum timer_role role, uint64_t count)
{
	/* An expiry queued before a sign of life re-armed the keepalive (or
	 * EXTEND_TIMEOUT_USEC the deadline) is no expiry at all. */
	count = timer_expiry_check(role, count);
	if (count == 0)
		return 0;
	run->expirations[role] += count;
	if (role == TIMER_EVERY)
		return on_every(run);
	if (role == TIMER_HEARTBEAT) {
		on_heartbeat(run);
		return 0;
	}
	timer_disarm(role);
	switch (role) {
	case TIMER_DEADLINE:
		return on_deadline(run);
	case TIMER_KEEPALIVE:
		return on_keepalive(run);
	case TIMER_LADDER:
		if (run->stop.state != STOP_CLIMBING)
			return 0;
		run->step_expirations[run->stop.next_step] += count;
		return stop(run, STOP_LADDER,
				  run->options->ladder[run->stop.next_step].signal);
	default:
		return 0;
	}
}

/* The ptys have the terminal's new size: COMMAND, which may have asked
 * before altimer copied it, hears of it once more. */
static void window_changed(struct run *run)
{
	if (!run->relay.size_changed)
		return;
	run->relay.size_changed = false;
	(void)child_signal(&run->child, SIGWINCH, !run->options->foreground);
}

/* A pty's reader went away and the command wrote again: the SIGPIPE that
 * write would have raised on a pipe, to the command's group (whoever of
 * it wrote), as the kernel would have sent it to the writer. */
static void broken_pipe(struct run *run)
{
	bool group = !run->options->foreground;

	if (!run->relay.broken_pipe)
		return;
	if (child_signal(&run->child, SIGPIPE, group) == 0)
		report_signal(&run->report, SIGPIPE, group ? "group" : "command", run->child.pid,
			      -1, "broken-pipe", -1);
	relay_end_broken(&run->relay);
}

/* A timerfd's expirations (timer.c's fallback): as a signalfd record. */
static int on_timerfd(void *ctx, enum timer_role role, uint64_t count)
{
	struct run *run = ctx;

	/* Once COMMAND is gone there is nobody left to signal, but the
	 * ladder's next step still ends the leftovers' grace. */
	if (run->child.reaped) {
		if (role == TIMER_LADDER)
			leftovers_kill(run);
		return 0;
	}
	return on_timer(run, role, count);
}

/* Whether sig, come from outside, is passed on: one of the forwarded
 * signals the caller did not ignore.  Dispositions are looked at only
 * now (signals_setup leaves them alone): an ignored one is taken out of
 * the set, so it is looked at once.  The -s signal and ALRM, which
 * altimer always handles as GNU does, were given their default already. */
bool loop_forwards(struct run *run, int sig)
{
	struct sigaction now;

	if (sigismember(&run->forwarded, sig) != 1)
		return false;
	if (sig == run->options->timeout_signal || sig == SIGALRM)
		return true;
	if (sigaction(sig, NULL, &now) == 0 && now.sa_handler == SIG_IGN) {
		sigdelset(&run->forwarded, sig);
		return false;
	}
	return true;
}

static int on_signal(struct run *run, const struct signalfd_siginfo *info)
{
	int sig = (int)info->ssi_signo;

	if (sig == SIGWINCH) {
		relay_window_changed(&run->relay);
		window_changed(run);
		return 0;
	}

	if (sig == timer_signal() && info->ssi_code == SI_TIMER) {
		int role = info->ssi_int;

		if (role < 0 || role >= TIMER_ROLE_COUNT)
			return 0;
		/* One record stands for 1 + overrun expirations. */
		return on_timer(run, (enum timer_role)role, 1 + (uint64_t)info->ssi_overrun);
	}
	if (sig == SIGCHLD) {
		/* Orphans handed to altimer as subreaper must not pile up as
		 * zombies.  The command itself is reaped here only on the
		 * fallback path; on the other its pidfd says so first. */
		(void)tree_reap_orphans(run->child.pid);
		if (run->reap_later)
			return 0;
		int r = child_try_reap(&run->child), stopped_by;
		if (r == 0 && run->terminal >= 0 &&
		    (stopped_by = child_check_stopped(&run->child)) > 0)
			on_command_stopped(run, stopped_by);
		return r < 0 ? r : 0;
	}
	if (sig == SIGTSTP) {
		on_stop_request(run);
		return 0;
	}
	/* A write of altimer's own to a closed pipe (-v, the relay) raises
	 * PIPE from altimer itself: that one is no news for COMMAND. */
	if (sig == SIGPIPE && (pid_t)info->ssi_pid == getpid())
		return 0;
	/* GNU times out at once on a SIGALRM from outside. */
	if (sig == SIGALRM)
		return stop(run, STOP_ALARM, run->options->timeout_signal);
	if (loop_forwards(run, sig)) {
		run->forwarded_signal = sig;
		if ((sig == SIGUSR1 || sig == SIGUSR2) && sig != run->options->timeout_signal)
			return stop_pass_on(run, sig);
		return stop(run, STOP_FORWARDED, sig);
	}
	return 0;
}

/* COMMAND has ended, the rest of its tree may not have: the ladder's next
 * step, or a signal from outside (a second Ctrl-C), ends its grace; a
 * SIGCHLD is looked at by leftovers_check after the round. */
static void on_signal_after_end(struct run *run, const struct signalfd_siginfo *info)
{
	int sig = (int)info->ssi_signo;

	if (sig == timer_signal() && info->ssi_code == SI_TIMER) {
		if (info->ssi_int == TIMER_LADDER)
			leftovers_kill(run);
		return;
	}
	/* altimer's own write to a closed pipe is no word from outside. */
	if ((pid_t)info->ssi_pid != getpid() && loop_forwards(run, sig))
		leftovers_kill(run);
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
			if (run->child.reaped) {
				on_signal_after_end(run, &infos[i]);
				continue;
			}
			int r = on_signal(run, &infos[i]);
			if (r < 0)
				return r;
		}
	}
}

/* Where each source sits in the poll set; an absent one has fd -1, which
 * poll() skips. */
enum slot {
	SLOT_SIGNALS, SLOT_EXEC, SLOT_CHILD, SLOT_NOTIFY, SLOT_RELAY,
	/* cgroup.events, once COMMAND has ended */
	SLOT_LEFTOVERS = SLOT_RELAY + RELAY_POLL_MAX,
	/* timerfds, only under RLIMIT_SIGPENDING: last */
	SLOT_TIMERS,
	SLOT_COUNT
};

/* Fills fds and returns how many of them to pass to poll(): absent slots
 * at the end are left out, as poll() refuses more entries than
 * RLIMIT_NOFILE (EINVAL), even ignored ones. */
static nfds_t poll_set(const struct run *run, struct pollfd fds[SLOT_COUNT])
{
	nfds_t count = SLOT_COUNT;

	fds[SLOT_SIGNALS] = (struct pollfd){ .fd = run->signal_fd, .events = POLLIN };
	fds[SLOT_EXEC] = (struct pollfd){ .fd = run->child.exec_pipe, .events = POLLIN };
	fds[SLOT_CHILD] = (struct pollfd){ .fd = run->child.handle.pidfd, .events = POLLIN };
	fds[SLOT_NOTIFY] = (struct pollfd){ .fd = run->notify.fd, .events = POLLIN };
	relay_poll_fds(&run->relay, &fds[SLOT_RELAY]);
	fds[SLOT_LEFTOVERS] = (struct pollfd){ .fd = leftovers_poll_fd(run), .events = POLLPRI };
	fds[SLOT_TIMERS] = (struct pollfd){ .fd = timer_poll_fd(), .events = POLLIN };
	while (count > 0 && fds[count - 1].fd < 0)
		count--;
	return count;
}

/* COMMAND was reaped: what it wrote and downstream takes now is passed
 * on (the rest is handed over at the end: relay_hand_over), the terminal
 * goes back to altimer's group as it would to the shell, and the rest of
 * its tree is dealt with. */
static void on_command_ended(struct run *run)
{
	run->report.ended = clock_ns(CLOCK_MONOTONIC);
	relay_drain(&run->relay);
	/* The exec pipe may still hold an errno the loop did not read yet. */
	if (run->child.exec_pipe >= 0)
		run->exec_error = child_exec_result(&run->child);
	terminal_take_back(run->terminal, run->child.pid);
	leftovers_begin(run);
}

int loop_run(struct run *run)
{
	struct child *child = &run->child;
	struct pollfd fds[SLOT_COUNT];
	int r;

	while (!child->reaped || leftovers_pending(run)) {
		nfds_t count = poll_set(run, fds);

		if (poll(fds, count, child->reaped ? leftovers_poll_ms(run) : -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}

		/* Output and heartbeats first: a sign of life that arrived with
		 * the keepalive's expiry keeps the command alive. */
		long moved = relay_handle(&run->relay, &fds[SLOT_RELAY]);
		if (moved < 0)
			return (int)moved;
		if (child->reaped) {
			/* The leftovers' output only: nothing to re-arm. */
			if (fds[SLOT_SIGNALS].revents && (r = drain_signal_fd(run)) < 0)
				return r;
			if (fds[SLOT_TIMERS].revents &&
			    (r = timer_read_expired(on_timerfd, run)) < 0)
				return r;
			relay_end_broken(&run->relay);
			leftovers_check(run);
			continue;
		}
		if (moved > 0 && ((r = keepalive_rearm(run)) < 0 || (r = heartbeat_rearm(run)) < 0))
			return r;
		window_changed(run);
		broken_pipe(run);
		if (fds[SLOT_NOTIFY].revents && (r = on_notify(run)) < 0)
			return r;
		/* Exec result next: a failed exec also ends the child.  Until
		 * now COMMAND had not run, so a deadline that passed meanwhile
		 * comes before its end, as under GNU (whose command dies of
		 * the signal before its exec, and GNU exits 124). */
		if (fds[SLOT_EXEC].revents) {
			run->exec_error = child_exec_result(child);
			run->reap_later = true;
			r = drain_signal_fd(run);
			if (r == 0)
				r = deadline_before_exec(run);
			run->reap_later = false;
			if (r < 0 || (r = child_try_reap(child)) < 0)
				return r;
		}
		/* An exit seen in the same wake-up as a timer wins: the command
		 * finished in time, nothing is signalled after it. */
		if (fds[SLOT_CHILD].revents && (r = child_try_reap(child)) < 0)
			return r;
		if (fds[SLOT_SIGNALS].revents && !child->reaped && (r = drain_signal_fd(run)) < 0)
			return r;
		if (fds[SLOT_TIMERS].revents && !child->reaped &&
		    (r = timer_read_expired(on_timerfd, run)) < 0)
			return r;
		if (child->reaped)
			on_command_ended(run);
	}
	return 0;
}
