/* terminal.c - sharing the controlling terminal with an interactive COMMAND.
 *
 * COMMAND runs in its own process group so a timeout can signal all of it.
 * At an interactive shell that group would be in the background, and reading
 * the terminal would stop it (SIGTTIN).  So altimer hands the terminal's
 * foreground to COMMAND's group: it reads input, Ctrl-C and Ctrl-Z reach it,
 * and altimer takes the terminal back when COMMAND stops or ends.
 *
 * The shell knows only altimer's group as the job.  `fg` and `bg` of a
 * stopped job continue altimer alone; `fg` of a running one tells it
 * nothing at all.  So altimer never assumes where its job is: it asks the
 * terminal (tcgetpgrp) each time it would take or give it. */
#include "config.h"
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int terminal_open_if_foreground(void)
{
	int tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);

	if (tty < 0)
		return -1;
	if (tcgetpgrp(tty) != getpgrp()) {
		close_quietly(tty);
		return -1;
	}
	return tty;
}

bool terminal_in_foreground(int tty, pid_t pgid)
{
	return tty >= 0 && pgid > 0 && tcgetpgrp(tty) == pgid;
}

int terminal_give(int tty, pid_t pgid)
{
	/* altimer ignores SIGTTOU, so this works even from a group that has
	 * just lost the foreground. */
	if (tty >= 0 && tcsetpgrp(tty, pgid) < 0)
		return -errno;
	return 0;
}

void terminal_take_back(int tty, pid_t command_group)
{
	pid_t holder;

	if (tty < 0)
		return;
	holder = tcgetpgrp(tty);
	if (holder <= 0 || holder == getpgrp())
		return;
	/* After `bg` the shell holds the terminal, or a job it started since:
	 * taking it from them (SIGTTOU is ignored, so the kernel would let
	 * altimer) makes the shell's next read fail, and the shell exits.  A
	 * group of COMMAND's own (an inner shell's job) is empty by now. */
	if (holder == command_group || (kill(-holder, 0) < 0 && errno == ESRCH))
		(void)tcsetpgrp(tty, getpgrp());
}

bool terminal_stop_self(int sig)
{
	struct sigaction before, deflt = { .sa_handler = SIG_DFL };
	struct timespec now = { 0, 0 };
	sigset_t only, cont, mask;
	bool was_stopped;

	if (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU)
		sig = SIGSTOP;
	if (sigaction(sig, NULL, &before) < 0)
		sig = SIGSTOP;
	/* TSTP ignored is the caller's choice (altimer leaves TSTP as it
	 * found it): only STOP stops altimer then.  TTIN and TTOU are ignored
	 * by altimer itself, so they get their default action for a moment. */
	if (sig == SIGTSTP && before.sa_handler == SIG_IGN)
		sig = SIGSTOP;
	if (sig != SIGSTOP)
		(void)sigaction(sig, &deflt, NULL);
	/* The continue happens even with CONT blocked, and CONT then stays
	 * pending: the proof that altimer did stop.  The kernel discards TSTP,
	 * TTIN and TTOU in an orphaned group (the shell is gone). */
	sigemptyset(&cont);
	sigaddset(&cont, SIGCONT);
	only = cont;
	if (sig != SIGSTOP)
		sigaddset(&only, sig);
	(void)sigprocmask(SIG_BLOCK, &only, &mask);
	(void)raise(sig);
	/* altimer may read TSTP from its signalfd: raised blocked, then
	 * unblocked, it is delivered (stops altimer) before sigprocmask
	 * returns. */
	if (sig != SIGSTOP) {
		sigemptyset(&only);
		sigaddset(&only, sig);
		(void)sigprocmask(SIG_UNBLOCK, &only, NULL);
	}
	was_stopped = sigtimedwait(&cont, NULL, &now) == SIGCONT;
	(void)sigprocmask(SIG_SETMASK, &mask, NULL);
	if (sig != SIGSTOP)
		(void)sigaction(sig, &before, NULL);
	return was_stopped;
}

/* stdin's terminal if it is one, else the controlling terminal opened for
 * the moment (*opened), else -1. */
static int modes_fd(bool from_stdin, bool *opened)
{
	*opened = false;
	if (from_stdin)
		return STDIN_FILENO;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	*opened = fd >= 0;
	return fd;
}

void terminal_modes_save(struct terminal_modes *saved)
{
	bool opened;
	int fd;

	saved->from_stdin = isatty(STDIN_FILENO);
	fd = modes_fd(saved->from_stdin, &opened);
	saved->saved = fd >= 0 && tcgetattr(fd, &saved->modes) == 0;
	if (opened)
		close_quietly(fd);
}

void terminal_modes_restore(const struct terminal_modes *saved)
{
	sigset_t ttou, mask;
	bool opened;
	int fd;

	if (!saved->saved)
		return;
	fd = modes_fd(saved->from_stdin, &opened);
	if (fd < 0)
		return;
	/* Only for the job in the foreground: a background job's COMMAND could
	 * not have changed them (SIGTTOU), and the shell, or the job in front,
	 * has the terminal in its own modes now. */
	if (tcgetpgrp(fd) != getpgrp()) {
		if (opened)
			close_quietly(fd);
		return;
	}
	/* From a background group (the job after `bg`) tcsetattr raises
	 * SIGTTOU unless it is blocked or ignored: altimer ignores it, and
	 * blocks it here too for a path that did not.  TCSANOW, not
	 * TCSADRAIN: output held up by flow control (Ctrl-S) must not hold
	 * altimer's exit up with it. */
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	(void)sigprocmask(SIG_BLOCK, &ttou, &mask);
	(void)tcsetattr(fd, TCSANOW, &saved->modes);
	(void)sigprocmask(SIG_SETMASK, &mask, NULL);
	if (opened)
		close_quietly(fd);
}
