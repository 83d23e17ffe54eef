/* terminal.c - sharing the controlling terminal with an interactive COMMAND.
 *
 * COMMAND runs in its own process group so a timeout can signal all of it.
 * At an interactive shell that group would be in the background, and reading
 * the terminal would stop it (SIGTTIN).  So altimer hands the terminal's
 * foreground to COMMAND's group: it reads input, Ctrl-C and Ctrl-Z reach it,
 * and altimer takes the terminal back when COMMAND stops or ends. */
#include "config.h"
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
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

int terminal_give(int tty, pid_t pgid)
{
	/* altimer ignores SIGTTOU, so this works even from a group that has
	 * just lost the foreground. */
	if (tty >= 0 && tcsetpgrp(tty, pgid) < 0)
		return -errno;
	return 0;
}

void terminal_take_back(int tty)
{
	if (tty >= 0)
		(void)tcsetpgrp(tty, getpgrp());
}
