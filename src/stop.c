/* stop.c - the stop policy: what altimer sends, to whom, when a limit
 * fires, a ladder step comes due or a signal is passed on from outside.
 *
 * Every way of stopping COMMAND goes through stop_begin(): one state
 * (running, climbing the ladder, at its top) instead of flags.  Before the
 * first signal of a stop altimer's own limit started, inspect_tree() takes
 * the snapshot and runs --on-timeout.  The poll loop (loop.c) reads the
 * events and calls in here; the signals that came while the hook ran are
 * replayed by the loop, which dispatches them. */
#include "config.h"
#include "stop.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "diag.h"
#include "duration.h"
#include "loop.h"
#include "signames.h"
#include "report.h"
#include "timer.h"
#include "tree.h"

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
void stop_say_sending(const struct run *run, int sig)
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
bool stop_command_has_run(struct run *run)
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
	bool supervisor = sig != SIGKILL && stop_command_has_run(run) &&
			  tree_is_supervisor(run->child.pid);
	const char *target = group && !supervisor ? "group" : "command";
	int r;

	stop_say_sending(run, sig);
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

/* -v stays GNU's words; the forest and the hook's lines are -vv's. */
static bool verbose_snapshot(const struct run *run)
{
	return run->options->verbose >= 2;
}

/* The forest, a diag() line a process: like every line of altimer's, none
 * may block the loop. */
static void say_snapshot(const struct snapshot *snapshot, const char *reason)
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
	sigset_t stop_on = run->forwarded;
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
	return send_stop_signal(run, sig, cause != STOP_FORWARDED, cause_words[cause], step);
}

/* USR1 and USR2 (which GNU timeout does not pass on) ask COMMAND for
 * something, such as a progress line: they go to it as they came, without
 * starting the ladder or continuing a stopped command. */
int stop_pass_on(struct run *run, int sig)
{
	const struct options *options = run->options;
	int r;

	stop_say_sending(run, sig);
	r = child_signal(&run->child, sig, !options->foreground);
	if (r == 0)
		report_signal(&run->report, sig, options->foreground ? "command" : "group",
			      run->child.pid, -1, "forwarded", -1);
	return r == -ESRCH ? 0 : r;
}

