/* loop.h - the poll() loop: every event altimer waits for, and what it does. */
#ifndef ALTIMER_LOOP_H
#define ALTIMER_LOOP_H

#include <signal.h>
#include <stdbool.h>

#include "child.h"
#include "notify.h"
#include "options.h"
#include "relay.h"
#include "report.h"
#include "timer.h"

struct run {
	const struct options *options;
	struct child child;
	int signal_fd;		/* blocked signals and timer expirations */
	int terminal;		/* controlling terminal shared with COMMAND, or -1 */
	sigset_t forwarded;	/* signals passed on to COMMAND */
	struct relay relay;	/* COMMAND's output, under --keepalive */
	struct notify notify;	/* sd_notify socket, under --notify */
	uint64_t keepalive;	/* current keepalive, WATCHDOG_USEC= may set it */
	const char *reason;	/* what ended it: "deadline", "keepalive", ... */
	bool timed_out;		/* the deadline (or a ladder step) fired */
	bool ladder_started;	/* its later steps are armed only once */
	int forwarded_signal;	/* last signal passed on from outside, or 0 */
	int exec_error;		/* errno from a failed exec, else 0 */
	uint64_t expirations[TIMER_ROLE_COUNT];	/* counted from the timers */
	uint64_t notes_sent;	/* --every signals delivered */
	struct report report;	/* signals sent, times, for --report */
};

/* Wait for COMMAND to end, acting on deadlines and signals meanwhile.
 * Returns 0 once COMMAND is reaped, or -errno when altimer cannot go on. */
int loop_run(struct run *run);

/* After COMMAND has ended: when it timed out (or --no-leftovers was
 * given), KILL and reap whatever of its tree is still alive.  Returns 0, or
 * -EBUSY when something could not be killed. */
int loop_clean_up_tree(struct run *run);

#endif
