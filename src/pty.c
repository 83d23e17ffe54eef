/* pty.c - a pseudo-terminal for COMMAND's output (--pty).
 *
 * A program whose output is a terminal keeps its colours and flushes each
 * line; behind a pipe it switches to block buffering, and a keepalive may
 * then see silence from a command that is printing all along.  The pty is
 * only COMMAND's stdout and stderr: it is opened with O_NOCTTY and nobody
 * calls setsid, so the user's terminal stays COMMAND's controlling terminal
 * and stdin, and Ctrl-C, Ctrl-Z and keyboard input work as before. */
#include "config.h"
#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "util.h"

int pty_open(int *master, int *slave)
{
	struct termios raw;
	char *name;
	int r;

	*master = *slave = -1;
	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0)
		return -errno;
	if (grantpt(*master) < 0 || unlockpt(*master) < 0 || (name = ptsname(*master)) == NULL)
		goto fail;
	*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0)
		goto fail;
	/* Raw: no "\n" to "\r\n", no echo, no line editing; the bytes the
	 * command writes are the bytes altimer reads. */
	if (tcgetattr(*slave, &raw) < 0)
		goto fail;
	cfmakeraw(&raw);
	if (tcsetattr(*slave, TCSANOW, &raw) < 0)
		goto fail;
	(void)fcntl(*master, F_SETFL, O_NONBLOCK);
	return 0;
fail:
	r = -errno;
	close_quietly(*master);
	close_quietly(*slave);
	*master = *slave = -1;
	return r;
}

int pty_copy_size(int tty, int master, struct winsize *size)
{
	struct winsize now;

	if (tty < 0 || ioctl(tty, TIOCGWINSZ, &now) < 0)
		return 0;
	if (now.ws_row == size->ws_row && now.ws_col == size->ws_col &&
	    now.ws_xpixel == size->ws_xpixel && now.ws_ypixel == size->ws_ypixel)
		return 0;
	if (ioctl(master, TIOCSWINSZ, &now) < 0)
		return 0;
	*size = now;
	return 1;
}
