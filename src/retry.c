/* retry.c - --retry: COMMAND run again after a timeout (or a failure).
 *
 * Each attempt is a whole run of altimer of its own (this binary, run
 * afresh with the same arguments): its own containment, ladder, relay,
 * terminal hand-over and clean-up, exactly as a single run has them, with
 * nothing of one attempt's state left over for the next.  This process
 * only starts the attempts, waits between them on its signalfd (a timer
 * ends the delay, a signal from outside ends everything at once), passes
 * signals from outside on to the running attempt, and writes the report:
 * the last attempt's, with every attempt listed.
 *
 * An attempt is told its deadline (shortened by --budget) and where to
 * write its report through ALTIMER_RETRY_ATTEMPT, which it removes from
 * its environment before COMMAND starts; COMMAND sees ALTIMER_ATTEMPT.
 * The report goes to a file with no name (memfd, else O_TMPFILE) that the
 * attempt inherits as /dev/fd/N: a kill -9 of this process leaves nothing
 * behind in TMPDIR. */
#include "config.h"
#include "retry.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "diag.h"
#include "duration.h"
#include "spawn.h"
#include "terminal.h"
#include "timer.h"
#include "util.h"

#define ATTEMPT_VARIABLE "ALTIMER_RETRY_ATTEMPT"

/* Signals passed on to the running attempt.  All but USR1 and USR2 (a
 * note for COMMAND, as altimer passes them on) end the retries. */
static const int passed_on[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGALRM, SIGUSR1, SIGUSR2, SIGXCPU, SIGXFSZ,
};

struct attempt {
	char reason[32];	/* the attempt's report's, or "" */
	int status;		/* exit status, 128+N for a death by signal N */
	int signal;		/* the signal it died of, or 0 */
	uint64_t elapsed;
};

int retry_attempt_setup(struct options *options)
{
	const char *value = getenv(ATTEMPT_VARIABLE);
	unsigned long long duration;
	int consumed = 0;

	if (value == NULL)
		return 0;
	options->retry = 0;
	if (sscanf(value, "%llu %n", &duration, &consumed) == 1 && consumed > 0) {
		if (duration < options->duration)
			options->duration = duration;
		if (value[consumed] != '\0') {
			free(options->report);
			if ((options->report = strdup(value + consumed)) == NULL)
				return -ENOMEM;
		}
	}
	(void)unsetenv(ATTEMPT_VARIABLE);
	/* The report's descriptor, inherited from the retrying altimer, is
	 * no descriptor of the caller's: it does not reach COMMAND. */
	if (options->report && strncmp(options->report, "/dev/fd/", 8) == 0) {
		int fd = atoi(options->report + 8);
		if (fd > STDERR_FILENO)
			(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	return 0;
}

/* A file with no name for the attempts' reports, above the standard
 * descriptors (closed ones may be free here; an attempt fills them with
 * /dev/null).  Returns it, or -errno. */
static int report_file_open(void)
{
	const char *tmp = getenv("TMPDIR");
	char name[4096];
	int fd = memfd_create("altimer-retry", MFD_CLOEXEC);

	if (!(tmp && *tmp))
		tmp = "/tmp";
	/* Without memfd (a sandbox): an O_TMPFILE, never linked; where the
	 * file system has none, a file unlinked as soon as it is made. */
	if (fd < 0)
		fd = open(tmp, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR)) {
		snprintf(name, sizeof name, "%s/altimer-retry-XXXXXX", tmp);
		fd = mkostemp(name, O_CLOEXEC);
		if (fd >= 0)
			(void)unlink(name);
	}
	if (fd < 0)
		return -errno;
	if (fd <= STDERR_FILENO) {
		int high = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
		int error = errno;
		close_quietly(fd);
		if (high < 0)
			return -error;
		fd = high;
	}
	return fd;
}

/* The attempt's report, kept in *text (the last one is the report's
 * body), and its "reason", from the one line that says it; the file is
 * emptied for the next attempt. */
static void read_report(int fd, struct attempt *attempt, char **text)
{
	const char *at;

	free(*text);
	*text = NULL;
	attempt->reason[0] = '\0';
	/* The attempt wrote at the offset it shares with this descriptor:
	 * read from the start, and empty the file for the next. */
	if (lseek(fd, 0, SEEK_SET) == 0 && read_all_fd(fd, text) == 0) {
		free(*text);
		*text = NULL;
	}
	(void)ftruncate(fd, 0);
	(void)lseek(fd, 0, SEEK_SET);
	if (*text == NULL)
		return;
	at = strstr(*text, "\n  \"reason\": \"");
	if (at != NULL)
		snprintf(attempt->reason, sizeof attempt->reason, "%.*s",
			 (int)strcspn(at + 14, "\""), at + 14);
}

/* Whether the attempt that ended so is run again (attempts and budget
 * allowing). */
static bool worth_retrying(const struct options *options, const struct attempt *attempt)
{
	const char *reason = attempt->reason;

	if (strcmp(reason, "deadline") == 0 || strcmp(reason, "keepalive") == 0 ||
	    strcmp(reason, "trigger") == 0)
		return true;
	/* Its own failure: exited non-zero, or died of a signal of its own
	 * (a crash), not of one from outside: Ctrl-C at the terminal reaches
	 * COMMAND's group only, and the attempt dies of COMMAND's INT. */
	switch (attempt->signal) {
	case SIGHUP: case SIGINT: case SIGQUIT: case SIGTERM:
		return false;
	}
	return options->retry_on_failure && strcmp(reason, "exited") == 0 &&
	       attempt->status != 0;
}

static const char *outcome(const struct attempt *attempt, char *buf, size_t size)
{
	if (strcmp(attempt->reason, "deadline") == 0)
		return "timed out";
	if (strcmp(attempt->reason, "keepalive") == 0)
		return "was silent too long";
	if (strcmp(attempt->reason, "trigger") == 0)
		return "asked to time out";
	snprintf(buf, size, "exited with status %d", attempt->status);
	return buf;
}

/* Start one attempt: this binary, argv as given, told its deadline and
 * report file.  Returns its pid, or -errno. */
static pid_t attempt_start(char **argv, const sigset_t *mask, unsigned number,
			   uint64_t duration, const char *report, int report_fd)
{
	char value[64 + 4096], attempt[16];
	pid_t pid;

	snprintf(value, sizeof value, "%llu %s", (unsigned long long)duration,
		 report ? report : "");
	snprintf(attempt, sizeof attempt, "%u", number);
	/* The attempt dies with this process, as COMMAND dies with altimer. */
	pid = spawn_fork(&(struct spawn_options){
		.death_signal = SIGTERM, .orphan_status = 125, .mask = mask });
	if (pid != 0)
		return pid;
	if (fcntl(report_fd, F_SETFD, 0) < 0)
		_exit(125);
	if (setenv(ATTEMPT_VARIABLE, value, 1) < 0 || setenv("ALTIMER_ATTEMPT", attempt, 1) < 0)
		_exit(125);
	execv("/proc/self/exe", argv);
	diag_errno(errno, "cannot run attempt %u", number);
	_exit(125);
}

/* Die of sig, without a core, as the attempt did (main.c's reraise). */
static void die_of(int sig)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t only;

	(void)prctl(PR_SET_DUMPABLE, 0);
	if (setrlimit(RLIMIT_CORE, &no_core) < 0)
		return;
	signal(sig, SIG_DFL);
	fflush(NULL);
	sigemptyset(&only);
	sigaddset(&only, sig);
	raise(sig);
	(void)sigprocmask(SIG_UNBLOCK, &only, NULL);
}

/* Wait for the attempt to end, passing on signals from outside (then
 * *outside is that signal) and stopping with it (Ctrl-Z).  Returns 0 or
 * -errno. */
static int attempt_wait(int signal_fd, pid_t pid, struct attempt *attempt, int *outside)
{
	struct pollfd fd = { .fd = signal_fd, .events = POLLIN };
	struct signalfd_siginfo info;
	siginfo_t status;

	for (;;) {
		memset(&status, 0, sizeof status);
		if (waitid(P_PID, (id_t)pid, &status, WEXITED | WSTOPPED | WNOHANG) < 0)
			return -errno;
		if (status.si_pid == pid && status.si_code == CLD_STOPPED) {
			/* The attempt stopped itself as its COMMAND was (Ctrl-Z):
			 * so does this process, the job's leader, for the shell. */
			(void)terminal_stop_self(status.si_status);
			(void)kill(pid, SIGCONT);
			continue;
		}
		if (status.si_pid == pid) {
			attempt->signal = status.si_code == CLD_EXITED ? 0 : status.si_status;
			attempt->status = attempt->signal ? 128 + attempt->signal : status.si_status;
			return 0;
		}
		if (poll(&fd, 1, -1) < 0 && errno != EINTR)
			return -errno;
		while (read_retry(signal_fd, &info, sizeof info) == (ssize_t)sizeof info) {
			int sig = (int)info.ssi_signo;
			if (sig == SIGCHLD || (sig == SIGPIPE && (pid_t)info.ssi_pid == getpid()))
				continue;
			/* Not yet reaped: the pid cannot have been reused. */
			(void)kill(pid, sig);
			if (sig != SIGUSR1 && sig != SIGUSR2)
				*outside = sig;
		}
	}
}

/* The delay before the next attempt, on the signalfd: a timer's
 * expiration ends it, a signal from outside ends everything (returned). */
static int delay_wait(int signal_fd, uint64_t delay)
{
	struct pollfd fds[2] = { { .fd = signal_fd, .events = POLLIN }, { .fd = -1 } };
	struct signalfd_siginfo info;

	if (delay == 0)
		return 0;
	if (timer_arm(TIMER_DEADLINE, delay, 0) < 0)
		return 0;
	for (;;) {
		fds[1] = (struct pollfd){ .fd = timer_poll_fd(), .events = POLLIN };
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			return 0;
		if (fds[1].revents) {
			timer_disarm(TIMER_DEADLINE);
			return 0;
		}
		while (read_retry(signal_fd, &info, sizeof info) == (ssize_t)sizeof info) {
			int sig = (int)info.ssi_signo;
			if (sig == timer_signal() && info.ssi_code == SI_TIMER)
				return 0;
			if (sig == SIGCHLD || sig == SIGUSR1 || sig == SIGUSR2 ||
			    (sig == SIGPIPE && (pid_t)info.ssi_pid == getpid()))
				continue;
			return sig;
		}
	}
}

/* The last attempt's report with "attempts" added, saved where --report
 * says. */
static void report_attempts(struct atomic_file *report, const char *path, const char *text,
			    const struct attempt *attempts, unsigned count)
{
	char *composed = NULL;
	const char *end;
	size_t len = 0;
	FILE *out;

	if (text == NULL || (end = strrchr(text, '}')) == NULL) {
		diag("cannot write the report to '%s': the last attempt wrote none", path);
		return;
	}
	while (end > text && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	out = open_memstream(&composed, &len);
	if (out == NULL)
		return;
	fprintf(out, "%.*s,\n  \"attempts\": [", (int)(end - text), text);
	for (unsigned i = 0; i < count; i++)
		fprintf(out, "%s\n    {\"attempt\": %u, \"reason\": \"%s\", \"exit_status\": %d, "
			"\"elapsed\": %" PRIu64 ".%09" PRIu64 "}",
			i ? "," : "", i + 1, attempts[i].reason[0] ? attempts[i].reason : "error",
			attempts[i].status, attempts[i].elapsed / 1000000000u,
			attempts[i].elapsed % 1000000000u);
	fputs("\n  ]\n}\n", out);
	if (fclose(out) == 0 && atomic_file_save(report, path, composed, len) < 0)
		diag("cannot write the report to '%s'", path);
	free(composed);
}

int retry_run(char **argv, const struct options *options)
{
	struct attempt *attempts = calloc(options->retry + 1, sizeof *attempts);
	struct atomic_file report = ATOMIC_FILE_NONE;
	char path[32], shown[32], span[32], *text = NULL;
	uint64_t started = clock_ns(CLOCK_MONOTONIC), delay = options->retry_delay;
	sigset_t blocked, original;
	int signal_fd, report_fd, outside = 0, interrupted = 0, r;
	unsigned count = 0;

	if (attempts == NULL) {
		diag_errno(ENOMEM, "cannot run the attempts");
		return 125;
	}
	if (options->report && (r = atomic_file_prepare(&report, options->report)) < 0) {
		diag_errno(-r, "cannot write the report to '%s'", options->report);
		return 125;
	}
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGCHLD);
	sigaddset(&blocked, SIGPIPE);
	sigaddset(&blocked, timer_signal());
	/* What the caller ignored (INT and QUIT in a background job) stays
	 * ignored here too, as each attempt leaves it. */
	for (size_t i = 0; i < sizeof passed_on / sizeof passed_on[0]; i++) {
		struct sigaction now;
		if (sigaction(passed_on[i], NULL, &now) == 0 && now.sa_handler != SIG_IGN)
			sigaddset(&blocked, passed_on[i]);
	}
	if (sigprocmask(SIG_BLOCK, &blocked, &original) < 0 ||
	    (signal_fd = signalfd(-1, &blocked, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		diag_errno(errno, "cannot set up signal handling");
		return 125;
	}
	if (options->boot_clock)
		timer_use_clock(CLOCK_BOOTTIME);
	/* The attempts' reports, read back one by one. */
	if ((r = timer_prepare(TIMER_DEADLINE)) < 0 || (r = report_file_open()) < 0) {
		diag_errno(-r, "cannot prepare the attempts");
		return 125;
	}
	report_fd = r;
	snprintf(path, sizeof path, "/dev/fd/%d", report_fd);

	for (;;) {
		struct attempt *attempt = &attempts[count];
		uint64_t duration = options->duration, spent = clock_ns(CLOCK_MONOTONIC) - started;

		/* Every attempt gets the whole DURATION, unless the budget
		 * ends first. */
		if (options->budget != DURATION_NONE) {
			uint64_t left = options->budget > spent ? options->budget - spent : 1;
			if (left < duration)
				duration = left;
		}
		uint64_t began = clock_ns(CLOCK_MONOTONIC);
		pid_t pid = attempt_start(argv, &original, count + 1, duration, path, report_fd);
		count++;
		if (pid < 0) {
			diag_errno((int)-pid, "cannot start attempt %u", count);
			attempt->status = 125;
			break;
		}
		r = attempt_wait(signal_fd, pid, attempt, &outside);
		attempt->elapsed = clock_ns(CLOCK_MONOTONIC) - began;
		read_report(report_fd, attempt, &text);
		if (r < 0) {
			diag_errno(-r, "lost track of attempt %u", count);
			attempt->status = 125;
			break;
		}
		if (outside || count > options->retry || !worth_retrying(options, attempt))
			break;
		spent = clock_ns(CLOCK_MONOTONIC) - started;
		if (options->budget != DURATION_NONE && spent + delay >= options->budget) {
			if (options->verbose)
				diag("attempt %u of %u %s; the --budget of %s is spent", count,
				     options->retry + 1, outcome(attempt, shown, sizeof shown),
				     duration_format(options->budget, span, sizeof span));
			break;
		}
		if (options->verbose)
			diag("attempt %u of %u %s; retrying in %s", count, options->retry + 1,
			     outcome(attempt, shown, sizeof shown),
			     duration_format(delay, span, sizeof span));
		if ((interrupted = delay_wait(signal_fd, delay)) != 0)
			break;
		double next = (double)delay * options->retry_factor;
		delay = next >= 1e18 ? (uint64_t)1e18 : (uint64_t)(next + 0.5);
	}

	struct attempt *last = &attempts[count - 1];
	int status = last->status, sig = last->signal;
	if (options->report)
		report_attempts(&report, options->report, text, attempts, count);
	free(text);
	close_quietly(report_fd);
	free(attempts);
	/* A signal from outside between attempts ends altimer as it would
	 * have ended the command: Ctrl-C in a delay is a death by INT. */
	if (interrupted)
		sig = interrupted, status = 128 + interrupted;
	if (sig)
		die_of(sig);
	return status;
}
