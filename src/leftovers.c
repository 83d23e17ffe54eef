/* leftovers.c - what of the command's tree outlives the command, as events
 * of the poll loop.
 *
 * When the command timed out (or --no-leftovers was given), the rest of its
 * tree goes with it.  The rest got the ladder's signal with the command, so
 * while the ladder climbs it has until the next step to end by itself (a
 * nested timeout translating the signal for its own command, a shell's
 * trap cleaning up), as the command had; then KILL, and the wait for the
 * last to die.  All of it happens in the poll loop: the relay keeps
 * draining the leftovers' output and a signal from outside is read, which
 * ends the grace at once.  The cgroup says it is empty through
 * cgroup.events (POLLPRI); the tree walk learns of each death through
 * SIGCHLD, altimer being the subreaper. */
#include "config.h"
#include "leftovers.h"

#include <errno.h>
#include <unistd.h>

#include "diag.h"
#include "report.h"
#include "tree.h"
#include "util.h"

/* A grace longer than this is cut short (the guardian gives the same). */
#define GRACE_MAX_NS (60 * 1000000000ull)
/* KILL cannot be refused and cgroup.kill stops forks too: only a process
 * in uninterruptible sleep holds the end up this long. */
#define KILLED_MAX_NS (10 * 1000000000ull)

/* Whether nothing of the tree is left; reaps what has died. */
static bool tree_empty(struct run *run)
{
	(void)tree_reap_orphans(0);
	return containment_empty(&run->containment, run->leftovers.events_fd);
}

static void say_killing(struct run *run, int count)
{
	struct leftovers *leftovers = &run->leftovers;

	if (count > 0 && !leftovers->announced && run->options->verbose >= 2)
		diag("sending signal KILL to %d process%s left behind by the command", count,
		     count == 1 ? "" : "es");
	leftovers->announced = leftovers->announced || count > 0;
}

/* KILL went to count processes left behind (-1: all, uncounted). */
static void note_killed(struct run *run, int count)
{
	if (count == 0)
		return;
	say_killing(run, count);
	report_signal(&run->report, SIGKILL, "leftovers", run->child.pid, count, "clean-up", -1);
}

static void finish(struct run *run)
{
	struct leftovers *leftovers = &run->leftovers;

	close_quietly(leftovers->events_fd);
	leftovers->events_fd = -1;
	leftovers->state = LEFTOVERS_DONE;
	(void)tree_reap_orphans(0);
}

static void kill_now(struct run *run)
{
	struct leftovers *leftovers = &run->leftovers;
	int count;

	leftovers->state = LEFTOVERS_KILLED;
	leftovers->until = clock_ns(CLOCK_MONOTONIC) + KILLED_MAX_NS;
	enum containment_kill result = containment_kill_rest(&run->containment, &count);
	note_killed(run, count);
	if (result == CONTAINMENT_GONE)
		finish(run);
}

void leftovers_kill(struct run *run)
{
	if (run->leftovers.state == LEFTOVERS_GRACE)
		kill_now(run);
}

void leftovers_begin(struct run *run)
{
	const struct options *options = run->options;
	struct leftovers *leftovers = &run->leftovers;

	leftovers->events_fd = -1;
	/* Nothing to do, nothing read: the everyday end costs nothing. */
	if (!run->containment.whole_tree || !(run->stop.timed_out || options->kill_leftovers)) {
		leftovers->state = LEFTOVERS_DONE;
		return;
	}
	/* Opened before the first look: an end between the two still wakes
	 * the loop. */
	leftovers->events_fd = containment_watch(&run->containment);
	if (tree_empty(run)) {
		finish(run);
		return;
	}
	/* The ladder's next step ends the grace (leftovers_kill, from the
	 * loop), at most GRACE_MAX_NS from now. */
	if (!containment_all_killed(&run->containment) && run->stop.state == STOP_CLIMBING &&
	    timer_is_armed(TIMER_LADDER)) {
		uint64_t left = timer_remaining(TIMER_LADDER);
		leftovers->state = LEFTOVERS_GRACE;
		leftovers->until = clock_ns(CLOCK_MONOTONIC) + (left < GRACE_MAX_NS ? left : GRACE_MAX_NS);
		return;
	}
	kill_now(run);
}

bool leftovers_pending(const struct run *run)
{
	return run->leftovers.state == LEFTOVERS_GRACE || run->leftovers.state == LEFTOVERS_KILLED;
}

int leftovers_poll_fd(const struct run *run)
{
	return leftovers_pending(run) ? run->leftovers.events_fd : -1;
}

int leftovers_poll_ms(const struct run *run)
{
	const struct leftovers *leftovers = &run->leftovers;
	uint64_t now = clock_ns(CLOCK_MONOTONIC), left;
	int ms;

	if (!leftovers_pending(run))
		return -1;
	left = leftovers->until > now ? leftovers->until - now : 0;
	ms = (int)((left + 999999) / 1000000);
	/* The walk sees no event for a process that forked after its scan:
	 * it looks again.  cgroup.events without a descriptor is read again
	 * too. */
	int recheck = containment_recheck_ms(&run->containment,
					     leftovers->state == LEFTOVERS_KILLED, leftovers->events_fd);
	if (recheck >= 0 && ms > recheck)
		ms = recheck;
	return ms;
}

void leftovers_check(struct run *run)
{
	struct leftovers *leftovers = &run->leftovers;
	bool late = clock_ns(CLOCK_MONOTONIC) >= leftovers->until;

	if (!leftovers_pending(run))
		return;
	if (tree_empty(run)) {
		finish(run);
		return;
	}
	if (leftovers->state == LEFTOVERS_GRACE) {
		if (late)
			kill_now(run);
		return;
	}
	int count;
	enum containment_kill result = containment_kill_rest(&run->containment, &count);
	note_killed(run, count);
	if (result == CONTAINMENT_GONE) {
		finish(run);
	} else if (result == CONTAINMENT_STUCK || late) {
		containment_say_stuck(&run->containment);
		finish(run);
	}
}
