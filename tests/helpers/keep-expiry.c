/* keep-expiry.c - LD_PRELOAD into altimer: timer_settime() as Linux before
 * 6.13 does it, on any kernel.
 *
 * Before 6.13 an expiry signal a POSIX timer has already queued survives
 * timer_settime(): the process still reads it after re-arming the timer.
 * From 6.13 on the kernel drops it.  This wrapper takes every queued
 * timer signal (SIGRTMIN, blocked in altimer) off the queue before the real
 * call and queues it again, unchanged (SI_TIMER, the timer's sigev_value,
 * its overrun), after it, so a test shows on this machine what altimer
 * meets on Debian 11, 12 and 13.  The signals of other timers are put back
 * too, in their order. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define KEPT_MAX 16

int timer_settime(timer_t id, int flags, const struct itimerspec *value,
		  struct itimerspec *old)
{
	static int (*real)(timer_t, int, const struct itimerspec *, struct itimerspec *);
	const struct timespec now = { 0, 0 };
	siginfo_t kept[KEPT_MAX];
	sigset_t timer_signal;
	int count = 0, r;

	if (real == NULL)
		real = (int (*)(timer_t, int, const struct itimerspec *,
				struct itimerspec *))dlsym(RTLD_NEXT, "timer_settime");
	sigemptyset(&timer_signal);
	sigaddset(&timer_signal, SIGRTMIN);
	while (count < KEPT_MAX && sigtimedwait(&timer_signal, &kept[count], &now) > 0)
		count++;
	r = real(id, flags, value, old);
	/* A negative si_code (SI_TIMER) may be queued to oneself as is. */
	for (int i = 0; i < count; i++)
		(void)syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), kept[i].si_signo,
			      &kept[i]);
	return r;
}
