/* late-timer.c - LD_PRELOAD into altimer: its first timer (the deadline)
 * fires LATE_TIMER_MS (default 300) later than asked, as when the timer's
 * interrupt comes late on a busy virtual machine while the clock has
 * already passed the deadline.  A child that checks the clock before its
 * exec then sees the deadline passed long before altimer reads the
 * timer's expiry. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

int timer_settime(timer_t id, int flags, const struct itimerspec *value,
		  struct itimerspec *old)
{
	static int (*real)(timer_t, int, const struct itimerspec *, struct itimerspec *);
	static int delayed;
	struct itimerspec late = *value;

	if (real == NULL)
		real = (int (*)(timer_t, int, const struct itimerspec *,
				struct itimerspec *))dlsym(RTLD_NEXT, "timer_settime");
	if (!delayed && (value->it_value.tv_sec != 0 || value->it_value.tv_nsec != 0)) {
		const char *ms = getenv("LATE_TIMER_MS");
		long delay = ms ? atol(ms) : 300;

		delayed = 1;
		late.it_value.tv_sec += delay / 1000;
		late.it_value.tv_nsec += delay % 1000 * 1000000;
		if (late.it_value.tv_nsec >= 1000000000) {
			late.it_value.tv_sec++;
			late.it_value.tv_nsec -= 1000000000;
		}
	}
	return real(id, flags, &late, old);
}
