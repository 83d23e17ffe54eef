/* terminal.h - sharing the controlling terminal with an interactive COMMAND. */
#ifndef ALTIMER_TERMINAL_H
#define ALTIMER_TERMINAL_H

#include <stdbool.h>
#include <sys/types.h>
#include <termios.h>

/* The terminal's modes as they were before COMMAND started. */
struct terminal_modes {
	bool saved;
	bool from_stdin;	/* stdin's terminal, else the controlling one */
	struct termios modes;
};

/* Open the controlling terminal if altimer is in its foreground process
 * group, i.e. started from an interactive shell in the foreground.
 * Returns the descriptor (close-on-exec) or -1. */
int terminal_open_if_foreground(void);

/* Whether pgid is the terminal's foreground process group. */
bool terminal_in_foreground(int tty, pid_t pgid);

/* Make pgid the terminal's foreground group.  Returns 0 or -errno. */
int terminal_give(int tty, pid_t pgid);

/* Give the terminal back to altimer's own group (the shell's job), but only
 * from COMMAND's group or a group with nobody left in it: never from the
 * shell or another job after `bg` put altimer's job in the background. */
void terminal_take_back(int tty, pid_t command_group);

/* Stop altimer as COMMAND was stopped (TSTP, TTIN, TTOU or STOP), so the
 * shell sees its job stop in the same words and with the same $?.  Returns
 * true once altimer is continued, false at once when the kernel discarded
 * the signal (an orphaned group: no shell is left to continue the job). */
bool terminal_stop_self(int sig);

/* Save the modes of stdin's terminal, or else of the controlling
 * terminal, if there is one; nothing is held open meanwhile. */
void terminal_modes_save(struct terminal_modes *saved);

/* Put the saved modes back, when altimer's group is the terminal's
 * foreground: for a COMMAND that altimer ended before it could restore
 * them itself (a full-screen program left raw). */
void terminal_modes_restore(const struct terminal_modes *saved);

#endif
