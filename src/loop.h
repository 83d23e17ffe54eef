/* loop.h - the poll() loop: every event altimer waits for, and what it does. */
#ifndef ALTIMER_LOOP_H
#define ALTIMER_LOOP_H

#include <signal.h>
#include <stdbool.h>

#include "child.h"
#include "containment.h"
#include "hook.h"
#include "notify.h"
#include "options.h"
#include "relay.h"
#include "report.h"
#include "snapshot.h"
#include "stop.h"
#include "terminal.h"
#include "timer.h"

/* The rest of the tree once COMMAND has ended (leftovers.c). */
enum leftovers_state {
	LEFTOVERS_NONE,		/* COMMAND still runs */
	LEFTOVERS_GRACE,	/* until the ladder's next step */
	LEFTOVERS_KILLED,	/* KILLed, waited for */
	LEFTOVERS_DONE,		/* none left, or none to wait for */
};

struct leftovers {
	enum leftovers_state state;
	int events_fd;		/* cgroup.events, polled for POLLPRI, or -1 */
	uint64_t until;		/* end of the grace, or of the wait after KILL */
	bool announced;		/* -vv said it */
};

struct run {
	const struct options *options;
	struct child child;
	int signal_fd;		/* blocked signals and timer expirations */
	int terminal;		/* controlling terminal shared with COMMAND, or -1 */
	struct terminal_modes terminal_modes;	/* given back after a timeout */
	sigset_t forwarded;	/* signals passed on to COMMAND */
	struct notify notify;	/* sd_notify socket, under --notify */
	uint64_t keepalive;	/* current keepalive, WATCHDOG_USEC= may set it */
	struct stop stop;
	int forwarded_signal;	/* last signal passed on from outside, or 0 */
	int exec_error;		/* errno from a failed exec, else 0 */
	bool reap_later;	/* a SIGCHLD read now does not reap COMMAND:
				 * the loop does, after the signals */
	unsigned closed_standard_fds;	/* bit n: fd n was closed at start */
	uint64_t expirations[TIMER_ROLE_COUNT];	/* counted from the timers */
	uint64_t step_expirations[LADDER_MAX];	/* TIMER_LADDER's, per step */
	uint64_t notes_sent;	/* --every signals delivered */
	uint64_t heartbeats;	/* --heartbeat lines printed */
	uint64_t last_output;	/* clock_ns(CLOCK_MONOTONIC) of COMMAND's last output
				 * under --heartbeat and the relay, or 0 */
	struct report report;	/* signals sent, times, for --report */
	struct report_snapshot snapshot;	/* the tree when a limit fired */
	struct leftovers leftovers;
	/* The large ones last, the largest at the end: only the pages a run
	 * writes take altimer's memory (the relay's buffers, the hook's
	 * deferred signals, the cgroup's path). */
	struct containment containment;	/* how the whole tree is held */
	struct hook hook;	/* --on-timeout, when it ran */
	struct relay relay;	/* COMMAND's output, under --keepalive */
};

/* Whether sig, sent from outside, is passed on to COMMAND: a forwarded
 * signal the caller did not ignore (looked at when it comes). */
bool loop_forwards(struct run *run, int sig);

/* Wait for COMMAND to end, acting on deadlines and signals meanwhile, and
 * then for the rest of its tree where it goes with COMMAND (leftovers.c).
 * Returns 0 once COMMAND is reaped and its tree dealt with, or -errno when
 * altimer cannot go on. */
int loop_run(struct run *run);

#endif
