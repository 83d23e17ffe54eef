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
/* The tree walk: a process may fork between a scan and its KILL, so the
 * walk is repeated, every 50 ms at the most, 200 times at the most. */
#define TREE_RESCAN_MS 50
#define TREE_ROUNDS_MAX 200

static bool uses_cgroup(const struct run *run)
{
	return cgroup_dir_fd(&run->cgroup) >= 0;
}

/* Whether nothing of the tree is left; reaps what has died. */
static bool tree_empty(struct run *run)
{
	(void)tree_reap_orphans(0);
	if (uses_cgroup(run))
		return cgroup_populated_at(&run->cgroup, run->leftovers.events_fd) <= 0;
	return !tree_has_children() || tree_count_live(true) <= 0;
}

static void say_killing(struct run *run, int count)
{
	struct leftovers *leftovers = &run->leftovers;

	if (count > 0 && !leftovers->announced && run->options->verbose >= 2)
		diag("sending signal KILL to %d process%s left behind by the command", count,
		     count == 1 ? "" : "es");
	leftovers->announced = leftovers->announced || count > 0;
}

/* One KILL of the tree walk's; true when nothing is left alive. */
static bool tree_kill_round(struct run *run)
{
	struct leftovers *leftovers = &run->leftovers;
	int live, killed;

	(void)tree_reap_orphans(0);
	live = tree_has_children() ? tree_count_live(true) : 0;
	leftovers->live = live;
	if (live <= 0)
		return true;
	/* Those already dying of a KILL are waited for, not killed again. */
	killed = tree_signal(SIGKILL, 0, 0, true);
	if (killed > 0) {
		say_killing(run, killed);
		report_signal(&run->report, SIGKILL, "leftovers", run->child.pid, killed,
			      "clean-up", -1);
	}
	leftovers->rounds++;
	return false;
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

	leftovers->state = LEFTOVERS_KILLED;
	leftovers->until = clock_ns(CLOCK_MONOTONIC) + KILLED_MAX_NS;
	if (!uses_cgroup(run)) {
		if (tree_kill_round(run))
			finish(run);
		return;
	}
	int left = cgroup_count(&run->cgroup);
	/* After the ladder's KILL the rest are already dying: waited for,
	 * not killed again (nor listed as leftovers). */
	if (!run->cgroup.killed && cgroup_kill(&run->cgroup) == 0) {
		say_killing(run, left);
		report_signal(&run->report, SIGKILL, "leftovers", run->child.pid,
			      left > 0 ? left : -1, "clean-up", -1);
	}
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
	if (!run->contained || !(run->stop.timed_out || options->kill_leftovers)) {
		leftovers->state = LEFTOVERS_DONE;
		return;
	}
	/* Opened before the first look: an end between the two still wakes
	 * the loop. */
	if (uses_cgroup(run))
		leftovers->events_fd = cgroup_events_open(&run->cgroup);
	if (tree_empty(run)) {
		finish(run);
		return;
	}
	/* The ladder's next step ends the grace (leftovers_kill, from the
	 * loop), at most GRACE_MAX_NS from now. */
	if (!run->cgroup.killed && run->stop.state == STOP_CLIMBING &&
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
	if (leftovers->state == LEFTOVERS_KILLED && !uses_cgroup(run) && ms > TREE_RESCAN_MS)
		ms = TREE_RESCAN_MS;
	if (uses_cgroup(run) && leftovers->events_fd < 0 && ms > 20)
		ms = 20;
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
	if (!uses_cgroup(run)) {
		if (tree_kill_round(run)) {
			finish(run);
		} else if (leftovers->rounds >= TREE_ROUNDS_MAX || late) {
			diag("%d process%s of the command could not be killed", leftovers->live,
			     leftovers->live == 1 ? "" : "es");
			finish(run);
		}
		return;
	}
	if (late) {
		diag("the command's cgroup is not empty 10 s after KILL");
		finish(run);
	}
}
