/* timer.c - per-thread POSIX timers whose expirations arrive on the signalfd,
 * and timerfds where the kernel will not give altimer a POSIX timer.
 *
 * SIGEV_THREAD_ID aims each expiration at altimer's own (only) thread; the
 * signal stays blocked and is read from the signalfd, so there is no signal
 * handler and no periodic wake-up.  The kernel queues one signal per timer
 * and counts the expirations it could not queue in si_overrun.
 *
 * A POSIX timer holds a queued-signal slot from its creation, counted
 * against RLIMIT_SIGPENDING (`ulimit -i`), so under a small limit
 * timer_create() fails with EAGAIN, at the start or only when a later timer
 * (the ladder's) is made.  That role then gets a timerfd instead: same
 * clock, same expiration count (read as 8 bytes), no signal at all.  The
 * timerfds sit in one epoll descriptor, one more poll source for the loop. */
#include "config.h"
#include "timer.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "duration.h"
#include "util.h"

/* glibc has no name for the thread-id member of struct sigevent. */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

/* Every timer's clock, both kinds: GNU's, which does not count suspend,
 * unless --clock=boot asks for CLOCK_BOOTTIME. */
static clockid_t timer_clock = CLOCK_MONOTONIC;

void timer_use_clock(clockid_t clock)
{
	timer_clock = clock;
}

clockid_t timer_get_clock(void)
{
	return timer_clock;
}

enum timer_kind { KIND_NONE, KIND_POSIX, KIND_TIMERFD };

static struct {
	enum timer_kind kind;
	timer_t id;		/* KIND_POSIX */
	int fd;			/* KIND_TIMERFD */
	bool armed;
} timers[TIMER_ROLE_COUNT];

/* The epoll descriptor holding every timerfd, or -1 while there is none. */
static int expired_fd = -1;

int timer_signal(void)
{
	return SIGRTMIN;
}

static int posix_timer_create(enum timer_role role)
{
	struct sigevent event;

	memset(&event, 0, sizeof event);
	event.sigev_notify = SIGEV_THREAD_ID;
	event.sigev_signo = timer_signal();
	event.sigev_value.sival_int = (int)role;
	event.sigev_notify_thread_id = gettid();
	if (timer_create(timer_clock, &event, &timers[role].id) < 0)
		return -errno;
	timers[role].kind = KIND_POSIX;
	return 0;
}

static int timerfd_create_for(enum timer_role role)
{
	struct epoll_event event = { .events = EPOLLIN, .data.u32 = (uint32_t)role };
	int fd, r;

	if (expired_fd < 0) {
		expired_fd = epoll_create1(EPOLL_CLOEXEC);
		if (expired_fd < 0)
			return -errno;
	}
	/* Non-blocking: a read after a disarm finds nothing, not a wait. */
	fd = timerfd_create(timer_clock, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (epoll_ctl(expired_fd, EPOLL_CTL_ADD, fd, &event) < 0) {
		r = -errno;
		close_quietly(fd);
		return r;
	}
	timers[role].fd = fd;
	timers[role].kind = KIND_TIMERFD;
	return 0;
}

static int timer_create_for(enum timer_role role)
{
	int r = posix_timer_create(role);

	/* No queued-signal slot left (RLIMIT_SIGPENDING): GNU timeout falls
	 * back too, and still times out. */
	if (r == -EAGAIN)
		r = timerfd_create_for(role);
	return r;
}

int timer_prepare(enum timer_role role)
{
	return timers[role].kind == KIND_NONE ? timer_create_for(role) : 0;
}

int timer_arm(enum timer_role role, uint64_t nanoseconds, uint64_t interval)
{
	struct itimerspec spec = { 0 };
	int r;

	if (nanoseconds == DURATION_NONE)
		return 0;
	if (timers[role].kind == KIND_NONE && (r = timer_create_for(role)) < 0)
		return r;
	spec.it_value = duration_to_timespec(nanoseconds);
	if (interval != 0 && interval != DURATION_NONE)
		spec.it_interval = duration_to_timespec(interval);
	if (timers[role].kind == KIND_POSIX)
		r = timer_settime(timers[role].id, 0, &spec, NULL);
	else
		r = timerfd_settime(timers[role].fd, 0, &spec, NULL);
	if (r < 0)
		return -errno;
	timers[role].armed = true;
	return 0;
}

void timer_disarm(enum timer_role role)
{
	struct itimerspec spec = { 0 };

	/* Disarmed already and not armed since: nothing can have expired
	 * (a deadline's expiry disarms it, then its stop does once more). */
	if (!timers[role].armed)
		return;
	/* For a timerfd this also drops expirations not read yet. */
	if (timers[role].kind == KIND_POSIX)
		(void)timer_settime(timers[role].id, 0, &spec, NULL);
	else if (timers[role].kind == KIND_TIMERFD)
		(void)timerfd_settime(timers[role].fd, 0, &spec, NULL);
	timers[role].armed = false;
}

int timer_is_armed(enum timer_role role)
{
	return timers[role].armed;
}

uint64_t timer_remaining(enum timer_role role)
{
	struct itimerspec spec;
	int r = -1;

	if (!timers[role].armed)
		return 0;
	if (timers[role].kind == KIND_POSIX)
		r = timer_gettime(timers[role].id, &spec);
	else if (timers[role].kind == KIND_TIMERFD)
		r = timerfd_gettime(timers[role].fd, &spec);
	return r < 0 ? 0 : timespec_to_ns(spec.it_value);
}

uint64_t timer_expiry_check(enum timer_role role, uint64_t count)
{
	struct itimerspec spec;

	/* Disarmed since the expiry was queued (a stop disarms the deadline,
	 * the keepalive and the notes): nobody waits for it any more. */
	if (!timers[role].armed)
		return 0;
	/* A timerfd's settime drops the expirations not read yet: what is
	 * read is current. */
	if (timers[role].kind != KIND_POSIX || timer_gettime(timers[role].id, &spec) < 0)
		return count;
	if (spec.it_interval.tv_sec != 0 || spec.it_interval.tv_nsec != 0)
		return count;
	/* A one-shot timer still counting down was re-armed after the expiry
	 * was queued: before Linux 6.13 timer_settime() leaves an expiry
	 * already queued in place (6.13 drops it), so a sign of life read in
	 * the same wake-up as the keepalive's expiry would not save the
	 * command.  Where the queued record also took the expiry of the
	 * re-armed timer (an overrun), that one counts once: the first had
	 * been superseded. */
	if (spec.it_value.tv_sec != 0 || spec.it_value.tv_nsec != 0)
		return 0;
	return 1;
}

int timer_poll_fd(void)
{
	return expired_fd;
}

int timer_read_expired(int (*on_expire)(void *ctx, enum timer_role role, uint64_t count),
		       void *ctx)
{
	struct epoll_event events[TIMER_ROLE_COUNT];
	int n, r;

	if (expired_fd < 0)
		return 0;
	n = epoll_wait(expired_fd, events, TIMER_ROLE_COUNT, 0);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		enum timer_role role = (enum timer_role)events[i].data.u32;
		uint64_t count;
		ssize_t got;

		if (role >= TIMER_ROLE_COUNT || timers[role].kind != KIND_TIMERFD)
			continue;
		/* Nothing when an earlier callback disarmed or re-armed it. */
		got = read_retry(timers[role].fd, &count, sizeof count);
		if (got == -EAGAIN)
			continue;
		if (got < 0)
			return (int)got;
		if (got != sizeof count || count == 0)
			continue;
		if ((r = on_expire(ctx, role, count)) < 0)
			return r;
	}
	return 0;
}
