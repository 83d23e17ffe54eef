/* timer.c - per-thread POSIX timers whose expirations arrive on the signalfd.
 *
 * SIGEV_THREAD_ID aims each expiration at altimer's own (only) thread; the
 * signal stays blocked and is read from the signalfd, so there is no signal
 * handler and no periodic wake-up.  The kernel queues one signal per timer
 * and counts the expirations it could not queue in si_overrun. */
#include "config.h"
#include "timer.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "duration.h"

/* glibc has no name for the thread-id member of struct sigevent. */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static timer_t timers[TIMER_ROLE_COUNT];
static bool created[TIMER_ROLE_COUNT];
static bool armed[TIMER_ROLE_COUNT];
static clockid_t clock_id = CLOCK_MONOTONIC;

void timer_use_clock(clockid_t clock)
{
	clock_id = clock;
}

int timer_signal(void)
{
	return SIGRTMIN;
}

static int timer_create_for(enum timer_role role)
{
	struct sigevent event;

	memset(&event, 0, sizeof event);
	event.sigev_notify = SIGEV_THREAD_ID;
	event.sigev_signo = timer_signal();
	event.sigev_value.sival_int = (int)role;
	event.sigev_notify_thread_id = gettid();
	if (timer_create(clock_id, &event, &timers[role]) < 0)
		return -errno;
	created[role] = true;
	return 0;
}

int timer_arm(enum timer_role role, uint64_t nanoseconds, uint64_t interval)
{
	struct itimerspec spec = { 0 };
	int r;

	if (nanoseconds == DURATION_NONE)
		return 0;
	if (!created[role] && (r = timer_create_for(role)) < 0)
		return r;
	spec.it_value = duration_to_timespec(nanoseconds);
	if (interval != 0 && interval != DURATION_NONE)
		spec.it_interval = duration_to_timespec(interval);
	if (timer_settime(timers[role], 0, &spec, NULL) < 0)
		return -errno;
	armed[role] = true;
	return 0;
}

void timer_disarm(enum timer_role role)
{
	struct itimerspec spec = { 0 };

	if (created[role])
		(void)timer_settime(timers[role], 0, &spec, NULL);
	armed[role] = false;
}

int timer_is_armed(enum timer_role role)
{
	return armed[role];
}

uint64_t timer_remaining(enum timer_role role)
{
	struct itimerspec spec;

	if (!created[role] || !armed[role] || timer_gettime(timers[role], &spec) < 0)
		return 0;
	return timespec_to_ns(spec.it_value);
}
