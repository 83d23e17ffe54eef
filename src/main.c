/* main.c - altimer: run a command with a time limit.
 *
 * main() sets the stage (options, signals, the child, the deadline), hands
 * over to the poll loop, and turns what happened into an exit status the
 * way GNU timeout does. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "containment.h"
#include "diag.h"
#include "duration.h"
#include "loop.h"
#include "notify.h"
#include "options.h"
#include "pidref.h"
#include "relay.h"
#include "report.h"
#include "retry.h"
#include "status.h"
#include "terminal.h"
#include "timer.h"
#include "util.h"

enum {
	EXIT_CANCELED = STATUS_CANCELED,
};

/* Passed on to COMMAND, as GNU timeout 9.10 does: every signal whose
 * default action ends a process (the real-time ones too, but the timers'),
 * except those the kernel raises for a program's own faults. */
static const int forwarded_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGABRT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM,
	SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO, SIGPWR,
};

/* Dispositions altimer changes for itself and gives back to COMMAND. */
static const int restored_signals[] = { SIGTTIN, SIGTTOU, SIGCHLD, SIGPIPE, 0 };

/* Tell COMMAND its deadline, as wall-clock seconds since the epoch, so it
 * can budget its own steps. */
static int deadline_export(uint64_t duration)
{
	char value[48];

	if (duration == DURATION_NONE) {
		(void)unsetenv("ALTIMER_DEADLINE");
		return 0;
	}
	uint64_t at = clock_ns(CLOCK_REALTIME) + duration;
	unsigned ms = (unsigned)(at % 1000000000u / 1000000u);
	char *end = format_uint(value, at / 1000000000u);
	*end++ = '.';
	*end++ = (char)('0' + ms / 100);
	*end++ = (char)('0' + ms / 10 % 10);
	*end++ = (char)('0' + ms % 10);
	*end = '\0';
	return setenv("ALTIMER_DEADLINE", value, 1) < 0 ? -errno : 0;
}

/* What was asked, as the report repeats it. */
static struct report_settings settings_of(const struct options *options)
{
	struct report_settings settings = {
		.command = options->command,
		.boot_clock = options->boot_clock,
		.deadline = options->duration,
		.keepalive = options->keepalive,
		.ladder_steps = options->ladder_steps,
		.every = options->every,
		.every_signal = options->every_signal,
		.heartbeat = options->heartbeat,
		.on_timeout = options->on_timeout,
		.on_timeout_limit = options->on_timeout_limit,
	};

	_Static_assert(LADDER_MAX <= REPORT_LADDER_MAX, "the report lists every step");
	for (int i = 0; i < options->ladder_steps; i++) {
		settings.ladder[i].signal = options->ladder[i].signal;
		settings.ladder[i].delay = options->ladder[i].delay;
	}
	return settings;
}

/* The cgroup's totals, for the report. */
static struct report_tree_usage tree_usage_of(const struct cgroup_usage *usage)
{
	return (struct report_tree_usage){
		.valid = usage->valid,
		.user_us = usage->user_us,
		.system_us = usage->system_us,
		.memory_peak = usage->memory_peak,
		.pids_peak = usage->pids_peak,
		.cpu_some_us = usage->cpu_some_us,
		.memory_some_us = usage->memory_some_us,
		.memory_full_us = usage->memory_full_us,
		.io_some_us = usage->io_some_us,
		.io_full_us = usage->io_full_us,
	};
}

/* What happened, for the report: a flat record of the run. */
static struct report_facts facts_of(const struct run *run)
{
	const struct child *child = &run->child;
	const struct hook *hook = &run->hook;

	return (struct report_facts){
		.settings = settings_of(run->options),
		/* A command whose exec failed never ran: no pid, no exit code
		 * of its own, no elapsed time or usage, as the man page says. */
		.started = run->report.spawned != 0 && run->exec_error == 0,
		.pid = child->pid,
		.reaped = child->reaped,
		.si_code = child->si_code,
		.status = child->status,
		.usage = child->usage,
		.timed_out = run->stop.timed_out,
		.deadline_expirations = run->expirations[TIMER_DEADLINE],
		.keepalive_expirations = run->expirations[TIMER_KEEPALIVE],
		.every_expirations = run->expirations[TIMER_EVERY],
		.step_expirations = run->step_expirations,
		.notes_sent = run->notes_sent,
		.heartbeats = run->heartbeats,
		.notify_ready = run->notify.ready,
		.notify_status = run->notify.status[0] ? run->notify.status : NULL,
		.snapshot = &run->snapshot,
		.hook = { .ran = hook->ran, .error = hook->error, .exit_code = hook->exit_code,
			  .exit_status = hook->exit_status, .stopped_by = hook->stopped_by,
			  .elapsed = hook->elapsed },
		.containment = run->containment.name,
		.containment_reason = run->containment.reason[0] ? run->containment.reason : NULL,
		.output_errors = { run->relay.streams[0].write_error,
				   run->relay.merged ? run->relay.streams[0].write_error
						     : run->relay.streams[1].write_error },
		.tree_usage = tree_usage_of(&run->containment.usage),
	};
}

/* --report: the JSON object, saved on every way out once COMMAND is known.
 * Returns 0, or -errno when a report was asked for and not written. */
static int report_write(struct run *run, const struct report_facts *facts)
{
	const char *path = run->options->report;
	size_t len = 0;
	char *text;
	int r;

	if (path == NULL)
		return 0;
	text = report_compose(&run->report, facts, &len);
	r = text ? atomic_file_save(&run->report.file, path, text, len) : -ENOMEM;
	free(text);
	if (r < 0)
		diag_errno(-r, "cannot write the report to '%s'", path);
	return r;
}

/* altimer itself failed after the options were read: say so, report it,
 * exit 125. */
static int give_up(struct run *run, const char *what, int error)
{
	char words[256];
	struct report_facts facts = facts_of(run);

	snprintf(words, sizeof words, "%s: %s", what, strerror(error));
	diag("%s", words);
	facts.reason = "error";
	facts.error = words;
	facts.exit_status = EXIT_CANCELED;
	report_write(run, &facts);
	return EXIT_CANCELED;
}

static bool pidfd_allowed(void)
{
	const char *value = getenv("ALTIMER_NO_PIDFD");

	return value == NULL || *value == '\0' || strcmp(value, "0") == 0;
}

/* Signals a handler could catch: the ones worth forwarding. */
static bool catchable(int sig)
{
	return sig > 0 && sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD &&
	       sig != SIGTTIN && sig != SIGTTOU && sig != SIGCONT &&
	       sig != timer_signal();
}

/* Block what the loop reads from the signalfd; ignore terminal-stop
 * signals so altimer in a background group is never stopped by them (GNU
 * does the same; COMMAND gets the originals back). */
static int signals_setup(struct run *run, struct sigaction *original_actions)
{
	const struct options *options = run->options;
	struct sigaction ignore = { .sa_handler = SIG_IGN };
	struct sigaction deflt = { .sa_handler = SIG_DFL };
	sigset_t blocked;

	sigemptyset(&run->forwarded);
	for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
		sigaddset(&run->forwarded, forwarded_signals[i]);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		if (sig != timer_signal())
			sigaddset(&run->forwarded, sig);
	/* An outside copy of the timeout signal is passed on too. */
	if (catchable(options->timeout_signal))
		sigaddset(&run->forwarded, options->timeout_signal);
	/* What the caller ignored stays ignored, and is not passed on: INT
	 * and QUIT for a background job, as GNU leaves them.  Looked at when
	 * one comes (loop_forwards), not here: some 45 system calls at every
	 * start for signals that mostly never come.  Blocked, an ignored
	 * signal still reaches the signalfd, where the loop drops it; COMMAND
	 * inherits the disposition as it would from the caller. */

	blocked = run->forwarded;
	sigaddset(&blocked, SIGCHLD);
	/* Sharing the terminal, Ctrl-Z can reach altimer's group instead of
	 * COMMAND's (after `bg` and `fg`): it must stop COMMAND too, so the
	 * loop reads TSTP.  Unless the caller ignored it, as GNU leaves it. */
	struct sigaction tstp;
	if (run->terminal >= 0 && sigaction(SIGTSTP, NULL, &tstp) == 0 &&
	    tstp.sa_handler != SIG_IGN)
		sigaddset(&blocked, SIGTSTP);
	sigaddset(&blocked, timer_signal());
	/* The ptys follow the terminal's size. */
	if (relay_uses_pty(&run->relay))
		sigaddset(&blocked, SIGWINCH);

	for (size_t i = 0; restored_signals[i] != 0; i++)
		if (sigaction(restored_signals[i], NULL, &original_actions[i]) < 0)
			return -errno;
	(void)sigaction(SIGTTIN, &ignore, NULL);
	(void)sigaction(SIGTTOU, &ignore, NULL);
	/* A closed stderr or output must not kill altimer and orphan COMMAND:
	 * PIPE is blocked (and passed on when it comes from outside), or
	 * ignored as the caller had it, so the write fails instead. */
	/* An inherited SIG_IGN for SIGCHLD would make the kernel reap the child
	 * itself and lose its status. */
	(void)sigaction(SIGCHLD, &deflt, NULL);

	if (sigprocmask(SIG_BLOCK, &blocked, NULL) < 0)
		return -errno;
	/* GNU catches its -s signal and ALRM whatever their disposition, and
	 * exec gives a caught signal its default action: a deadline works
	 * under nohup, `trap '' TERM` or in a background job (-s INT).
	 * Blocked here, the disposition only matters to COMMAND, which
	 * inherits it; an ignored one would make the deadline do nothing. */
	int defaulted[] = { options->timeout_signal, SIGALRM };
	for (size_t i = 0; i < sizeof defaulted / sizeof defaulted[0]; i++) {
		struct sigaction now;
		if (!catchable(defaulted[i]) && defaulted[i] != SIGALRM)
			continue;
		if (sigaction(defaulted[i], NULL, &now) == 0 && now.sa_handler == SIG_IGN)
			(void)sigaction(defaulted[i], &deflt, NULL);
		for (size_t j = 0; restored_signals[j] != 0; j++)
			if (restored_signals[j] == defaulted[i] &&
			    original_actions[j].sa_handler == SIG_IGN)
				original_actions[j] = deflt;
	}
	run->signal_fd = signalfd(-1, &blocked, SFD_CLOEXEC | SFD_NONBLOCK);
	if (run->signal_fd < 0)
		return -errno;
	return 0;
}

/* Die of sig, as COMMAND did, so the caller's wait() sees the same thing;
 * never leave a core file of altimer's own. */
static void reraise(int sig)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t only;

	(void)prctl(PR_SET_DUMPABLE, 0);
	if (setrlimit(RLIMIT_CORE, &no_core) < 0)
		return; /* a core might appear: exit 128+sig instead */
	signal(sig, SIG_DFL);
	sigemptyset(&only);
	sigaddset(&only, sig);
	fflush(NULL);
	raise(sig);
	(void)sigprocmask(SIG_UNBLOCK, &only, NULL);
}

/* The final status, by GNU timeout's rules (status.c), and the lines GNU
 * prints with it.  Sets *reraise to the signal altimer should die of, or 0. */
static int exit_status(const struct run *run, int *reraise)
{
	const struct status_facts facts = {
		.exec_error = run->exec_error,
		.si_code = run->child.si_code,
		.status = run->child.status,
		.timed_out = run->stop.timed_out,
		.killed_group = run->stop.killed_group,
		.preserve_status = run->options->preserve_status,
	};
	int status = status_decide(&facts, reraise);

	if (run->exec_error &&
	    (status == STATUS_NOT_FOUND || status == STATUS_CANNOT_INVOKE)) {
		char quoted[4096];
		diag_errno(run->exec_error, "failed to run command %s",
			   diag_quote(run->options->command[0], quoted, sizeof quoted));
	} else if (run->child.si_code == CLD_DUMPED)
		diag("the monitored command dumped core");
	return status;
}

/* Why COMMAND ended, in the report's words. */
static const char *end_reason(const struct run *run)
{
	const struct child *child = &run->child;

	if (run->exec_error && !(run->stop.timed_out && !run->options->preserve_status))
		return "exec-failed";
	if (run->stop.reason)
		return run->stop.reason;
	if (run->forwarded_signal &&
	    !(child->si_code == CLD_EXITED && child->status == 0))
		return "signal";
	return "exited";
}

/* altimer started with 0, 1 or 2 closed: hold each with /dev/null, so no
 * descriptor altimer opens (the signalfd, a pipe) takes the number and is
 * later written to, closed or replaced as if it were stdout.  Returns the
 * closed ones as a bit mask, which COMMAND gets closed again. */
static unsigned occupy_standard_fds(void)
{
	unsigned closed = 0;

	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free number is fd itself. */
		int null = open("/dev/null", (fd == 0 ? O_RDONLY : O_WRONLY) | O_NOCTTY);
		if (null == fd)
			closed |= 1u << fd;
		else if (null >= 0)
			close(null);
	}
	return closed;
}

/* Everything COMMAND needs before it starts: the report's file, the
 * signalfd, the relay pipes, the notify socket, the deadline in the
 * environment, the terminal.  Returns 0, or altimer's exit status. */
static int prepare(struct run *run, struct sigaction *original_actions)
{
	const struct options *options = run->options;
	int r;

	run->report.started = clock_ns(CLOCK_MONOTONIC);
	run->report.enabled = options->report != NULL;
	run->report.file = ATOMIC_FILE_NONE;
	run->report.file.closed_standard_fds = run->closed_standard_fds;
	if (options->report && (r = atomic_file_prepare(&run->report.file, options->report)) < 0) {
		diag_errno(-r, "cannot write the report to '%s'", options->report);
		return EXIT_CANCELED;
	}
	/* At an interactive shell COMMAND gets the terminal, as it would
	 * without altimer; --foreground leaves it in altimer's group instead.
	 * Before the signals: with a terminal altimer reads TSTP too. */
	if (!options->foreground)
		run->terminal = terminal_open_if_foreground();
	terminal_modes_save(&run->terminal_modes);
	/* Before the signals: a pty relay reads SIGWINCH too. */
	run->keepalive = options->keepalive;
	if (options->keepalive != DURATION_NONE) {
		r = relay_open(&run->relay, (enum relay_pty)options->pty, options->verbose);
		if (r < 0)
			return give_up(run, "cannot create the output relay pipes", -r);
	}
	r = signals_setup(run, original_actions);
	if (r < 0)
		return give_up(run, "cannot set up signal handling", -r);
	/* After the signals are blocked: a TERM or HUP from now on is read by
	 * the loop, or by the exit paths that remove the cgroup, and cannot
	 * end altimer between the cgroup's mkdir and its removal. */
	if (containment_setup(&run->containment, options) < 0) {
		diag("--contain=cgroup: %s", run->containment.reason);
		return EXIT_CANCELED;
	}
	if ((r = containment_reserve(&run->containment, options)) < 0)
		return give_up(run, "cannot set descriptors aside for the command's tree", -r);

	if (options->notify) {
		r = notify_open(&run->notify);
		if (r < 0)
			return give_up(run, "cannot create the notify socket", -r);
	}
	r = deadline_export(options->duration);
	if (r < 0)
		return give_up(run, "cannot set ALTIMER_DEADLINE", -r);

	/* -vvv: -vv's lines are about the run, compared line by line. */
	if (options->verbose >= 3)
		diag("containment: %s (%s)", run->containment.name, run->containment.reason);
	return 0;
}

/* The timers the options will arm. */
static int timers_prepare(const struct options *options)
{
	int r = 0;

	if (options->duration != DURATION_NONE)
		r = timer_prepare(TIMER_DEADLINE);
	if (r == 0 && (options->keepalive != DURATION_NONE || options->notify))
		r = timer_prepare(TIMER_KEEPALIVE);
	if (r == 0 && options->every != DURATION_NONE)
		r = timer_prepare(TIMER_EVERY);
	if (r == 0 && options->heartbeat != DURATION_NONE)
		r = timer_prepare(TIMER_HEARTBEAT);
	if (r == 0 && options->ladder_steps > 1)
		r = timer_prepare(TIMER_LADDER);
	return r;
}

/* Start COMMAND and its timers.  Returns 0, or altimer's exit status. */
static int start(struct run *run, const struct sigaction *original_actions)
{
	const struct options *options = run->options;
	struct spawn_plan plan = {
		.argv = options->command,
		.parent = getpid(),
		.new_group = !options->foreground,
		.terminal = run->terminal,
		.relay = &run->relay,
		.restore = { restored_signals, original_actions },
		.closed_standard_fds = run->closed_standard_fds,
		.death_signal = options->timeout_signal,
		.cgroup_fd = containment_spawn_fd(&run->containment),
	};
	int r;

	/* Every timer the run needs, before the command starts: one that
	 * cannot be made is altimer's failure, not a reason to KILL a command
	 * that is already running. */
	if (options->boot_clock)
		timer_use_clock(CLOCK_BOOTTIME);
	if ((r = timers_prepare(options)) < 0)
		return give_up(run, "cannot create a timer", -r);
	containment_guardian_start(&run->containment, options);
	/* -vv names the clock only when it is not GNU's. */
	if (options->boot_clock && options->verbose >= 2)
		diag("clock: boot (CLOCK_BOOTTIME, time suspended counts)");
	/* The deadline runs from before the fork, so one that has passed is
	 * there to be read by the time COMMAND's exec reports: GNU's tiny
	 * deadlines end a command before it runs (a failed exec included),
	 * and so do altimer's (see the loop). */
	run->report.zero = clock_ns(CLOCK_MONOTONIC);
	r = timer_arm(TIMER_DEADLINE, options->duration, 0);
	if (r < 0)
		return give_up(run, "cannot arm the deadline timer", -r);
	/* When it passes, for COMMAND to check before its exec (child.c);
	 * taken after the timer's start, so never before the timer fires. */
	if (options->duration != DURATION_NONE && options->duration < 1000000000ull * 1000000) {
		uint64_t at = clock_ns(timer_get_clock()) + options->duration;
		plan.has_deadline = true;
		plan.deadline_clock = timer_get_clock();
		plan.deadline = (struct timespec){ .tv_sec = (time_t)(at / 1000000000u),
						   .tv_nsec = (long)(at % 1000000000u) };
	}
	r = child_spawn(&run->child, &plan);
	/* The cgroup was made but the kernel would not start the command in
	 * it: under auto the tree walk still contains it. */
	if (r < 0 && plan.cgroup_fd >= 0 && containment_spawn_failed(&run->containment, -r)) {
		plan.cgroup_fd = -1;
		r = child_spawn(&run->child, &plan);
	}
	if (r < 0)
		return give_up(run, "cannot start the command", -r);

	run->report.spawned = clock_ns(CLOCK_MONOTONIC);
	relay_parent_setup(&run->relay);
	/* While COMMAND execs, on the other CPU. */
	containment_started(&run->containment);
	r = timer_arm(TIMER_KEEPALIVE, options->keepalive, 0);
	if (r == 0)
		r = timer_arm(TIMER_EVERY, options->every, options->every);
	if (r == 0)
		r = timer_arm(TIMER_HEARTBEAT, options->heartbeat, options->heartbeat);
	if (r < 0) {
		terminal_take_back(run->terminal, run->child.pid);
		(void)child_signal(&run->child, SIGKILL, !options->foreground);
		containment_abandon(&run->containment);
		return give_up(run, "cannot arm a timer", -r);
	}
	return 0;
}

/* COMMAND and the rest of its tree have ended: write the report, and end the way
 * GNU timeout would.  Returns altimer's exit status, or does not return
 * when altimer dies of COMMAND's signal. */
static int finish(struct run *run, const struct sigaction *original_actions)
{
	const struct signal_restore restore = { restored_signals, original_actions };
	struct report_facts facts;
	int reraise_signal;

	/* The tree's totals, read before the cgroup goes. */
	containment_end(&run->containment, run->options->report != NULL);
	/* altimer ends with COMMAND; late writers' output still gets through. */
	relay_hand_over(&run->relay, &restore);
	facts = facts_of(run);
	facts.reason = end_reason(run);
	facts.exit_status = exit_status(run, &reraise_signal);
	facts.reraised = reraise_signal != 0;
	if (run->exec_error)
		facts.error = strerror(run->exec_error);
	/* A status of 0 would say "all done" without the report asked for:
	 * 125 then.  Any other status already says something went wrong, and
	 * what (124, 137, COMMAND's own), so it is kept. */
	if (report_write(run, &facts) < 0 && facts.exit_status == 0 && !reraise_signal)
		facts.exit_status = EXIT_CANCELED;
	report_free(&run->report);
	if (reraise_signal)
		reraise(reraise_signal);
	return facts.exit_status;
}

int main(int argc, char **argv)
{
	static struct options options;
	/* Static: the atexit handler reads run.containment's cgroup after
	 * main returns. */
	static struct run run;
	struct sigaction original_actions[sizeof restored_signals / sizeof restored_signals[0]];
	int r;

	if (!pidfd_allowed())
		pidref_refuse_pidfds();
	/* altimer's binary run afresh by the guardian of an altimer that
	 * died (cgroup.c): that work, and nothing else. */
	if (containment_guardian_main(argc, argv) == 0)
		return EXIT_SUCCESS;
	diag_init(argv[0]);
	run.options = &options;
	run.signal_fd = -1;
	run.terminal = -1;
	run.notify.fd = -1;
	containment_init(&run.containment);
	r = options_parse(argc, argv, &options);
	if (r == OPTIONS_DONE)
		return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_CANCELED;
	if (r == -ENOMEM) {
		diag_errno(ENOMEM, "cannot parse options");
		return EXIT_CANCELED;
	}
	if (r < 0)
		return EXIT_CANCELED;
	/* --retry: this process runs the attempts, each an altimer of its own. */
	if (retry_attempt_setup(&options) < 0) {
		diag_errno(ENOMEM, "cannot parse options");
		return EXIT_CANCELED;
	}
	if (options.retry > 0)
		return retry_run(argv, &options);
	run.closed_standard_fds = occupy_standard_fds();
	diag_never_block();

	if ((r = prepare(&run, original_actions)) != 0 ||
	    (r = start(&run, original_actions)) != 0)
		return r;

	r = loop_run(&run);
	/* Before anything else can fail or re-raise: the shell needs its
	 * terminal back on every way out. */
	terminal_take_back(run.terminal, run.child.pid);
	/* A full-screen program ended by altimer leaves the terminal raw (GNU
	 * leaves it so); one that ended by itself left what it meant to. */
	if (run.stop.timed_out || r < 0)
		terminal_modes_restore(&run.terminal_modes);
	if (r < 0) {
		(void)child_signal(&run.child, SIGKILL, !options.foreground);
		containment_abandon(&run.containment);
		return give_up(&run, "lost track of the command", -r);
	}
	r = finish(&run, original_actions);
	options_free(&options);
	return r;
}
