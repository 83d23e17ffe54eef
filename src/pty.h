/* pty.h - a pseudo-terminal for COMMAND's output (--pty). */
#ifndef ALTIMER_PTY_H
#define ALTIMER_PTY_H

#include <sys/ioctl.h>

/* Open a pty pair in raw mode (bytes pass unchanged) whose slave never
 * becomes anyone's controlling terminal.  Returns 0 or -errno. */
int pty_open(int *master, int *slave);

/* Give the pty behind master the window size of the terminal tty, if it
 * differs from *size (which is updated).  Returns 1 when it changed. */
int pty_copy_size(int tty, int master, struct winsize *size);

#endif
