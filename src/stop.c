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

#include "containment.h"
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

/* -v, in GNU timeout's words. */
void stop_say_sending(const struct run *run, int sig)
{
	char name[SIGNAME_MAX], quoted[4096];

	/* Signal 0 is "0", as GNU 9.10 prints it (9.1 said EXIT). */
	if (run->options->verbose)
		diag("sending signal %s to command %s", sig ? name_of(sig, name) : "0",
		     diag_quote(run->options->command[0], quoted, sizeof quoted));
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
	struct containment_target target = {
		.child = &run->child,
		.report = &run->report,
		.verbose = options->verbose,
		.group = group,
		.supervisor = supervisor,
		.whole_tree = whole_tree,
		.cause = cause,
		.step = step,
	};
	int r;

	stop_say_sending(run, sig);
	r = containment_signal(&run->containment, &target, sig);
	if (target.killed_group)
		run->stop.killed_group = true;
	return r;
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
	count = containment_list(&run->containment, &pids);
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
