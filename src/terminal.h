/* terminal.h - sharing the controlling terminal with an interactive COMMAND. */
#ifndef ALTIMER_TERMINAL_H
#define ALTIMER_TERMINAL_H

#include <stdbool.h>
#include <sys/types.h>

/* Open the controlling terminal if altimer is in its foreground process
 * group, i.e. started from an interactive shell in the foreground.
 * Returns the descriptor (close-on-exec) or -1. */
int terminal_open_if_foreground(void);

/* Make pgid the terminal's foreground group.  Returns 0 or -errno. */
int terminal_give(int tty, pid_t pgid);

/* Give the terminal back to altimer's own group (the shell's job). */
void terminal_take_back(int tty);

#endif
