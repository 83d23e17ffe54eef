/* stop.h - the stop policy: what altimer sends, to whom, when a limit
 * fires, a ladder step comes due or a signal is passed on from outside. */
#ifndef ALTIMER_STOP_H
#define ALTIMER_STOP_H

#include <stdbool.h>

struct run;

/* What starts a stop. */
enum stop_cause {
	STOP_DEADLINE,		/* altimer's own limits ... */
	STOP_KEEPALIVE,
	STOP_TRIGGER,		/* WATCHDOG=trigger */
	STOP_ALARM,		/* SIGALRM from outside: GNU's "deadline now" */
	STOP_FORWARDED,		/* a signal passed on from outside */
	STOP_LADDER,		/* the ladder's next step came due */
};

/* Where the stop stands: running (nothing sent), climbing the ladder (the
 * first signal went out, a later step is armed), or at the top (the last
 * step went out, or the rest never come). */
enum stop_state { STOP_RUNNING, STOP_CLIMBING, STOP_AT_TOP };

struct stop {
	enum stop_state state;
	int next_step;		/* the ladder step TIMER_LADDER is armed for */
	const char *reason;	/* the limit that fired first, or NULL */
	bool timed_out;		/* a limit fired or a later step was sent:
				 * GNU's "timed out", whatever started it */
	bool killed_group;	/* KILL went to COMMAND's group: GNU would have
				 * died of it with its group */
};

/* Every stop starts here: the limits, an outside ALRM, a signal passed on
 * and each later step of the ladder.  Sends sig (the ladder's first signal
 * for a limit) and climbs the ladder from there.  Signals that came while
 * --on-timeout ran are left in run->hook for the loop to dispatch.
 * Returns 0 or -errno. */
int stop_begin(struct run *run, enum stop_cause cause, int sig);

/* USR1 and USR2 from outside: to COMMAND as they came, no stop.  Returns
 * 0 or -errno. */
int stop_pass_on(struct run *run, int sig);

/* -v's line for a signal about to be sent, in GNU timeout's words. */
void stop_say_sending(const struct run *run, int sig);

/* Whether COMMAND has exec'd (reading the exec pipe's news if there is
 * some): before, the child is still a copy of altimer. */
bool stop_command_has_run(struct run *run);

#endif
