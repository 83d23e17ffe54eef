/* loop.c - the poll() loop: every event altimer waits for, and what it does.
 *
 * altimer sleeps in poll() until something happens: COMMAND's output
 * (under --keepalive) and notify messages (under --notify) are signs of
 * life, the exec pipe reports how exec went, the pidfd turns readable when
 * COMMAND ends, and the signalfd delivers timer expirations and the signals
 * altimer blocked for itself (timer expirations come from timerfds instead
 * when RLIMIT_SIGPENDING denies POSIX timers).  Nothing wakes it on a clock.
 *
 * Every way of stopping COMMAND goes through stop_begin(): one state
 * (running, climbing the ladder, at its top) instead of flags. */
#include "config.h"
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cgroup.h"
#include "diag.h"
#include "duration.h"
#include "leftovers.h"
#include "signames.h"
#include "terminal.h"
#include "report.h"
#include "timer.h"
#include "tree.h"
#include "util.h"

static const char *const cause_words[] = {
	[STOP_DEADLINE] = "deadline",
	[STOP_KEEPALIVE] = "keepalive",
	[STOP_TRIGGER] = "trigger",
	[STOP_ALARM] = "deadline",
	[STOP_FORWARDED] = "forwarded",
	[STOP_LADDER] = "ladder",
};

static const char *name_of(int sig, char *buf)
{
	if (signal_name(sig, buf) == NULL)
		snprintf(buf, SIGNAME_MAX, "%d", sig);
	return buf;
}

/* altimer's own lines, beyond GNU's: -vv. */
static bool verbose_extra(const struct run *run)
{
	return run->options->verbose >= 2;
}

/* -v, in GNU timeout's words. */
static void say_sending(const struct run *run, int sig)
{
	char name[SIGNAME_MAX], quoted[4096];

	/* Signal 0 is "0", as GNU 9.10 prints it (9.1 said EXIT). */
	if (run->options->verbose)
		diag("sending signal %s to command %s", sig ? name_of(sig, name) : "0",
		     diag_quote(run->options->command[0], quoted, sizeof quoted));
}

/* The rest of the tree: processes that left COMMAND's group too. */
static void signal_tree(struct run *run, int sig, const char *cause, int step)
{
	char name[SIGNAME_MAX];
	int count = tree_signal(sig, run->child.pid, run->child.pid, false);

	if (count < 0) {
		/* Never silently: what the walk could not reach may survive. */
		diag_errno(-count, "cannot signal the rest of the command's tree");
		return;
	}
	if (count == 0)
		return;
	report_signal(&run->report, sig, "tree", run->child.pid, count, cause, step);
	if (verbose_extra(run))
		diag("sending signal %s to %d more process%s of the command's tree",
		     name_of(sig, name), count, count == 1 ? "" : "es");
}

bool loop_uses_cgroup(const struct run *run)
{
	return cgroup_dir_fd(&run->cgroup) >= 0;
}

/* Cgroup mode: KILL is one write to cgroup.kill, reaching every level.
 * Any other signal goes to the group first, then to the members of this
 * cgroup that left it, not those of nested cgroups (an inner altimer or
 * timeout translates the signal for its own command).  With members
 * outside the group, the cgroup is frozen meanwhile, so no member can
 * react (exit, be reaped, fork) before all have it.  Mostly the group is
 * all there is: its one signal reaches all at once, and a freeze would
 * only cost the command two wake-ups before it acts.  One that left the
 * group after the look is listed after the group's signal, and gets it
 * then (twice, if it left in between). */
static int signal_cgroup(struct run *run, int sig, bool supervisor, const char *cause,
			 int step)
{
	pid_t pid = run->child.pid;
	int count, r;

	if (sig == SIGKILL) {
		r = cgroup_kill(&run->cgroup);
		if (r == 0) {
			/* The group was in it: GNU would have died of it too. */
			run->stop.killed_group = true;
			report_signal(&run->report, sig, "cgroup", pid, -1, cause, step);
		}
		return r;
	}
	/* A nested GNU timeout shares COMMAND's level and group with its
	 * own command: it alone gets the signal, and translates it. */
	if (supervisor) {
		r = child_signal(&run->child, sig, false);
		if (r == 0)
			report_signal(&run->report, sig, "command", pid, -1, cause, step);
		/* Stopped, it must still act on the signal, as GNU continues
		 * its command. */
		if (r == 0 && sig != SIGCONT && child_signal(&run->child, SIGCONT, false) == 0)
			report_signal(&run->report, SIGCONT, "command", pid, -1, cause, step);
		return r == -ESRCH ? 0 : r;
	}
	bool freeze = cgroup_count_outside(&run->cgroup, pid) != 0;
	if (freeze)
		cgroup_freeze(&run->cgroup);
	r = child_signal(&run->child, sig, true);
	if (r == 0)
		report_signal(&run->report, sig, "group", pid, -1, cause, step);
	count = cgroup_signal(&run->cgroup, sig, pid);
	if (count > 0) {
		char name[SIGNAME_MAX];
		report_signal(&run->report, sig, "tree", pid, count, cause, step);
		if (run->options->verbose >= 2)
			diag("sending signal %s to %d more process%s of the command's cgroup",
			     name_of(sig, name), count, count == 1 ? "" : "es");
	}
	/* A stopped member must still act on the signal. */
	if (sig != SIGCONT) {
		if (child_signal(&run->child, SIGCONT, true) == 0)
			report_signal(&run->report, SIGCONT, "group", pid, -1, cause, step);
		if (freeze || count > 0)
			(void)cgroup_signal(&run->cgroup, SIGCONT, pid);
	}
	if (freeze)
		cgroup_thaw(&run->cgroup);
	return r == -ESRCH ? 0 : r;
}

/* Whether COMMAND has exec'd.  Before, the child is a copy of altimer, a
 * nested timeout by every sign, which must get its signal as COMMAND would
 * (a stop signal alone, it would never be continued). */
static bool command_has_run(struct run *run)
{
	struct pollfd exec_pipe = { .fd = run->child.exec_pipe, .events = POLLIN };

	if (exec_pipe.fd >= 0 && poll(&exec_pipe, 1, 0) == 1)
		run->exec_error = child_exec_result(&run->child);
	return run->child.exec_pipe < 0 && run->exec_error == 0;
}

/* Send sig to COMMAND (and its group) as GNU timeout does, saying so under
 * --verbose.  Timeouts reach the whole tree unless the user asked for
 * GNU's narrower scope.  cause and step go into the report. */
static int send_stop_signal(struct run *run, int sig, bool whole_tree,
			    const char *cause, int step)
{
	const struct options *options = run->options;
	bool group = !options->foreground;
	/* A nested timeout (altimer or GNU timeout) as COMMAND translates the
	 * signal for its own command, as under GNU: it alone gets it, not the
	 * group it shares with its command.  KILL goes to all. */
	bool supervisor = sig != SIGKILL && command_has_run(run) &&
			  tree_is_supervisor(run->child.pid);
	const char *target = group && !supervisor ? "group" : "command";
	int r;

	say_sending(run, sig);
	if (whole_tree && group && run->contained && loop_uses_cgroup(run))
		return signal_cgroup(run, sig, supervisor, cause, step);
	whole_tree = whole_tree && group && run->contained && !supervisor;
	/* Any other signal reaches the rest of the tree first, while the
	 * command still holds it: once the group's signal has killed the
	 * command, its children are being handed to altimer, and a walk of
	 * the children lists can miss them.  KILL goes to the command first:
	 * killing its escaped children first could let it see them die and
	 * exit by itself (137 from a shell's wait, read as a plain timeout)
	 * before its own KILL lands; whatever the walk then misses while
	 * being handed over gets the same KILL from the clean-up. */
	if (whole_tree && sig != SIGKILL)
		signal_tree(run, sig, cause, step);
	r = child_signal(&run->child, sig, group && !supervisor);
	if (r < 0 && r != -ESRCH)
		return r;
	if (whole_tree && sig == SIGKILL)
		signal_tree(run, sig, cause, step);
	if (r == 0 && sig == SIGKILL && group)
		run->stop.killed_group = true;
	if (r == 0)
		report_signal(&run->report, sig, target, run->child.pid, -1, cause, step);
	/* A stopped command must still act on the signal. */
	if (group && sig != SIGKILL && sig != SIGCONT) {
		if (child_signal(&run->child, SIGCONT, true) == 0)
			report_signal(&run->report, SIGCONT, target, run->child.pid, -1,
				      cause, step);
		if (whole_tree)
			(void)tree_signal(SIGCONT, run->child.pid, run->child.pid, false);
	}
	return 0;
}

/* Arm the ladder's timer for its next step, or note that none will come.
 * A step's delay counts from the step before (GNU arms -k's KILL the same
 * way, once the first signal is out). */
static int ladder_arm_next(struct run *run)
{
	const struct options *options = run->options;
	struct stop *stop = &run->stop;

	if (stop->next_step >= options->ladder_steps ||
	    options->ladder[stop->next_step].delay == DURATION_NONE) {
		stop->state = STOP_AT_TOP;
		return 0;
	}
	stop->state = STOP_CLIMBING;
	/* 0 disarms a POSIX timer: "at once" is the next nanosecond. */
	uint64_t delay = options->ladder[stop->next_step].delay;
	return timer_arm(TIMER_LADDER, delay ? delay : 1, 0);
}

static bool is_limit(enum stop_cause cause)
{
	return cause == STOP_DEADLINE || cause == STOP_KEEPALIVE || cause == STOP_TRIGGER ||
	       cause == STOP_ALARM;
}

static int on_signal(struct run *run, const struct signalfd_siginfo *info);

/* -v stays GNU's words; the forest and the hook's lines are -vv's. */
static bool verbose_snapshot(const struct run *run)
{
	return run->options->verbose >= 2;
}

/* The forest, a diag() line a process: like every line of altimer's, none
 * may block the loop. */
static void say_snapshot(const struct report_snapshot *snapshot, const char *reason)
{
	char *text = NULL, *line, *next;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	diag("the command's tree at the %s:", reason);
	if (out == NULL)
		return;
	snapshot_print(snapshot, out, "");
	if (fclose(out) == 0)
		for (line = text; line && *line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			diag("%s", line);
		}
	free(text);
}

/* Before the first signal of a stop altimer's own limit started, and only
 * once: what every process of the tree was doing (the report, and -vv),
 * then the user's --on-timeout command.  Costs nothing when no limit
 * fires, nor when nothing would show it: reading the tree delays the
 * first signal (a millisecond for 10 processes, tens for 500). */
static void inspect_tree(struct run *run, const char *reason)
{
	const struct options *options = run->options;
	pid_t *pids = NULL;
	int count;

	if (run->snapshot.taken ||
	    (options->report == NULL && !verbose_snapshot(run) && options->on_timeout == NULL))
		return;
	count = tree_list(&pids);
	snapshot_take(&run->snapshot, pids, count > 0 ? (size_t)count : 0, run->child.pid,
		      reason);
	free(pids);
	for (int i = 0; run->relay.active && i < 2; i++) {
		char tail[TAIL_SIZE];
		size_t len = tail_copy(&run->relay.streams[i].tail, tail);

		if ((run->snapshot.tail[i] = malloc(len + 1)) != NULL) {
			memcpy(run->snapshot.tail[i], tail, len);
			run->snapshot.tail[i][len] = '\0';
			run->snapshot.tail_len[i] = len;
		}
	}
	if (verbose_snapshot(run))
		say_snapshot(&run->snapshot, reason);
	if (options->on_timeout == NULL)
		return;

	char pid[16], limit[32], took[32], signame[SIGNAME_MAX];
	char *list = snapshot_pid_list(&run->snapshot);
	sigset_t stop_on;
	sigemptyset(&stop_on);
	for (int sig = 1; sig <= SIGRTMAX; sig++)
		if (loop_forwards(run, sig))
			sigaddset(&stop_on, sig);
	/* Notes asked of the command do not end the hook; the rest do. */
	sigdelset(&stop_on, SIGUSR1);
	sigdelset(&stop_on, SIGUSR2);
	snprintf(pid, sizeof pid, "%d", (int)run->child.pid);
	struct hook_context context = {
		.command = options->on_timeout,
		.limit = options->on_timeout_limit,
		.pid = pid,
		.pids = list ? list : pid,
		.reason = reason,
		.signal_fd = run->signal_fd,
		.stop_on = &stop_on,
	};
	if (verbose_snapshot(run))
		diag("running the --on-timeout command");
	(void)fflush(stderr);
	hook_run(&run->hook, &context);
	free(list);
	if (!verbose_snapshot(run))
		return;
	duration_format(options->on_timeout_limit, limit, sizeof limit);
	/* Measured, not given: milliseconds, not %g's nine digits. */
	snprintf(took, sizeof took, "%.3fs", (double)run->hook.elapsed / 1e9);
	if (run->hook.error)
		diag("cannot run the --on-timeout command: %s", strerror(run->hook.error));
	else if (run->hook.stopped_by && strcmp(run->hook.stopped_by, "limit") == 0)
		diag("the --on-timeout command was killed at its limit of %s", limit);
	else if (run->hook.stopped_by)
		diag("the --on-timeout command was killed after %s: altimer got a signal", took);
	else if (run->hook.exit_code == CLD_EXITED)
		diag("the --on-timeout command exited with status %d after %s",
		     run->hook.exit_status, took);
	else
		diag("the --on-timeout command died of signal %s after %s",
		     name_of(run->hook.exit_status, signame), took);
}

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

int stop_begin(struct run *run, enum stop_cause cause, int sig)
{
	struct stop *stop = &run->stop;
	bool climbed = false;
	int step = -1, r;

	if (is_limit(cause)) {
		/* The first limit decides; later ones have nothing left to do.
		 * GNU passes on every outside ALRM, though. */
		if (stop->reason != NULL && cause != STOP_ALARM)
			return 0;
		if (stop->reason == NULL)
			stop->reason = cause_words[cause];
		stop->timed_out = true;
		/* An ALRM from outside leaves the deadline armed: GNU's own
		 * ALRM still comes, with the next signal. */
		if (cause != STOP_ALARM)
			timer_disarm(TIMER_DEADLINE);
		timer_disarm(TIMER_KEEPALIVE);
		/* Notes are for a command at work, not one being stopped;
		 * heartbeats too: the stop has its own lines. */
		timer_disarm(TIMER_EVERY);
		timer_disarm(TIMER_HEARTBEAT);
		step = 0;
		/* Once a first signal is out (passed on from outside, or an
		 * earlier ALRM), GNU's -s signal has become -k's KILL: a limit
		 * then climbs one step at once, or repeats the last one sent. */
		if (stop->state != STOP_RUNNING &&
		    stop->next_step < run->options->ladder_steps) {
			/* Even a step whose delay never comes (-k 1e300). */
			step = stop->next_step++;
			climbed = true;
		} else if (stop->state != STOP_RUNNING) {
			step = stop->next_step - 1;
		}
		sig = run->options->ladder[step].signal;
	} else if (cause == STOP_LADDER) {
		/* GNU counts -k's KILL as a timeout too (and reports 137). */
		stop->timed_out = true;
		step = stop->next_step++;
	}
	/* Only altimer's own limits look at the tree and run the hook, before
	 * their first signal and before the ladder's clock starts. */
	if (is_limit(cause))
		inspect_tree(run, cause_words[cause]);
	/* The first signal of a stop, whatever started it, starts the climb;
	 * each step re-arms the one timer for the next. */
	if (stop->state == STOP_RUNNING) {
		stop->next_step = 1;
		if ((r = ladder_arm_next(run)) < 0)
			return r;
	} else if ((cause == STOP_LADDER || climbed) && (r = ladder_arm_next(run)) < 0) {
		return r;
	}
	if (stop->state == STOP_AT_TOP)
		timer_disarm(TIMER_LADDER);
	r = send_stop_signal(run, sig, cause != STOP_FORWARDED, cause_words[cause], step);
	return r < 0 ? r : replay_deferred(run);
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

static int on_deadline(struct run *run)
{
	char shown[32], quoted[4096];

	if (verbose_extra(run))
		diag("deadline: command %s still running after %s",
		     diag_quote(run->options->command[0], quoted, sizeof quoted),
		     duration_format(run->options->duration, shown, sizeof shown));
	/* After an ALRM from outside, the deadline is one more ALRM, as in
	 * GNU: it sends the next signal. */
	return stop_begin(run, run->stop.reason ? STOP_ALARM : STOP_DEADLINE,
			  run->options->timeout_signal);
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
	return stop_begin(run, STOP_KEEPALIVE, run->options->timeout_signal);
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
			if ((r = stop_begin(run, STOP_TRIGGER, run->options->timeout_signal)) < 0)
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
	if (!command_has_run(run))
		return 0;
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
	int count = tree_list(&pids);

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
		return stop_begin(run, STOP_LADDER,
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
		return stop_begin(run, STOP_ALARM, run->options->timeout_signal);
	if (loop_forwards(run, sig)) {
		run->forwarded_signal = sig;
		if ((sig == SIGUSR1 || sig == SIGUSR2) && sig != run->options->timeout_signal)
			return pass_on(run, sig);
		return stop_begin(run, STOP_FORWARDED, sig);
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
