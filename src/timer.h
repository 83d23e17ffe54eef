/* timer.h - per-thread POSIX timers whose expirations arrive on the signalfd,
 * and timerfds where the kernel will not give altimer a POSIX timer. */
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
	TIMER_HEARTBEAT,	/* --heartbeat: a line after each INTERVAL of silence */
	TIMER_ROLE_COUNT,
};

/* The clock of every timer created after this: CLOCK_MONOTONIC (the
 * default, GNU's: time suspended does not count) or CLOCK_BOOTTIME. */
void timer_use_clock(clockid_t clock);

/* That clock. */
clockid_t timer_get_clock(void);

/* The signal every timer delivers; blocked and read through the signalfd. */
int timer_signal(void);

/* Create role's timer now, unarmed, so that arming it later cannot fail
 * for want of one (the command is not started when altimer cannot time
 * it).  Returns 0 or -errno. */
int timer_prepare(enum timer_role role);

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

/* How many of count expirations just read for role (from the signalfd
 * or a timerfd) are of the timer as it is armed now: 0 for a stale one,
 * queued before the timer was disarmed or re-armed. */
uint64_t timer_expiry_check(enum timer_role role, uint64_t count);

/* A descriptor that turns readable when a timer that is a timerfd (made
 * when timer_create() failed with EAGAIN, under RLIMIT_SIGPENDING) has
 * expired, for the loop's poll set; -1 while every timer is a POSIX one.
 * It may appear while the loop runs (the ladder's timer is made late). */
int timer_poll_fd(void);

/* Read every expired timerfd and call on_expire(ctx, role, count) for
 * each, count being its expirations since the last read (as 1 + overrun
 * is for a signalfd record).  Stops at, and returns, on_expire's first
 * negative return; else 0, or -errno. */
int timer_read_expired(int (*on_expire)(void *ctx, enum timer_role role, uint64_t count),
		       void *ctx);

#endif
