/* timer.h - per-thread POSIX timers whose expirations arrive on the signalfd. */
#ifndef ALTIMER_TIMER_H
#define ALTIMER_TIMER_H

#include <stdint.h>
#include <time.h>

/* What a timer is for; carried in sigev_value so the loop knows which
 * timer a signalfd record belongs to. */
enum timer_role {
	TIMER_DEADLINE,
	TIMER_KEEPALIVE,
	TIMER_EVERY,		/* periodic notes (--every) */
	TIMER_LADDER,		/* the next step of the ladder */
	TIMER_ROLE_COUNT,
};

/* The clock of every timer created after this: CLOCK_MONOTONIC (the
 * default, GNU's: time suspended does not count) or CLOCK_BOOTTIME. */
void timer_use_clock(clockid_t clock);

/* The signal every timer delivers; blocked and read through the signalfd. */
int timer_signal(void);

/* Arm (creating if needed) the timer for role to fire once after
 * nanoseconds, then every interval nanoseconds (0: once).  Returns 0 or
 * -errno. */
int timer_arm(enum timer_role role, uint64_t nanoseconds, uint64_t interval);

/* Stop the timer for role, if it exists. */
void timer_disarm(enum timer_role role);

/* Nanoseconds until the timer for role fires; 0 when not armed. */
uint64_t timer_remaining(enum timer_role role);

/* Whether the timer for role is armed. */
int timer_is_armed(enum timer_role role);

#endif
