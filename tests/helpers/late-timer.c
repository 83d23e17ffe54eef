/* late-timer.c - LD_PRELOAD into altimer: its first timer (the deadline)
 * fires 300 ms later than asked, as when the timer's interrupt comes late
 * on a busy virtual machine while the clock has already passed the
 * deadline.  A child that checks the clock before its
 * exec then sees the deadline passed long before altimer reads the
 * timer's expiry. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <time.h>

enum { DELAY_MS = 300 };

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
		delayed = 1;
		late.it_value.tv_sec += DELAY_MS / 1000;
		late.it_value.tv_nsec += DELAY_MS % 1000 * 1000000L;
		if (late.it_value.tv_nsec >= 1000000000) {
			late.it_value.tv_sec++;
			late.it_value.tv_nsec -= 1000000000;
		}
	}
	return real(id, flags, &late, old);
}
