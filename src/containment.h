/* containment.h - how the command's whole tree is held, one interface for
 * its two implementations: the command's own cgroup (cgroup.c), or the
 * subreaper's walk of altimer's descendants (tree.c).  Short of either
 * (--foreground, --contain=group, a tiny descriptor limit), only the
 * command's process group is reached, as under GNU timeout. */
#ifndef ALTIMER_CONTAINMENT_H
#define ALTIMER_CONTAINMENT_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "child.h"
#include "options.h"
#include "report.h"

struct containment {
	const char *name;	/* "cgroup", "tree" or "group"; NULL before
				 * containment_setup */
	bool whole_tree;	/* a timeout reaches the whole tree, not only the
				 * group (short of a tiny descriptor limit) */
	char reason[320];	/* why that one (the cgroup made, or why none
				 * could be), for -vvv and the report */
	bool cgroup_optional;	/* --contain=auto: the walk when the cgroup fails */
	int live;		/* the walk's last count of the leftovers */
	int rounds;		/* the walk's KILL rounds */
	bool rest_killed;	/* the cgroup's leftovers were sent their KILL */
	struct cgroup_usage usage;	/* the cgroup's totals at the end */
	struct cgroup cgroup;	/* the command's own, when held by one */
};

/* An empty handle: nothing chosen yet, nothing to remove. */
void containment_init(struct containment *containment);

/* --contain: a cgroup where one can be made (auto) or must be (cgroup),
 * else the subreaper's tree walk, or GNU's process group.  Call once
 * altimer's signals are blocked: a TERM from then on is read by the loop
 * or the exit paths that remove the cgroup, and cannot end altimer between
 * its mkdir and its removal.  The cgroup goes on every way out of altimer
 * (atexit).  Returns 0, or -errno when --contain=cgroup cannot be honoured
 * (reason says why). */
int containment_setup(struct containment *containment, const struct options *options);

/* What the tree walk needs, set aside now: under a low descriptor limit
 * --contain=tree is refused here, up front, rather than lose the tree at
 * the deadline; auto makes do with GNU's process group, as GNU runs there.
 * Then altimer becomes the subreaper of everything it starts.  Returns 0
 * or -errno. */
int containment_reserve(struct containment *containment, const struct options *options);

/* The cgroup's guardian (see cgroup_guardian_start), once altimer's
 * signals are blocked: a TERM that comes as soon as altimer has a child
 * must find altimer ready for it.  Without a cgroup, or a guardian, a
 * kill -9 of altimer leaves the tree running: the reason says so, nothing
 * fails. */
void containment_guardian_start(struct containment *containment, const struct options *options);

/* altimer's binary run afresh by the guardian of an altimer that died:
 * that work (returns 0), or -1 when argv is not the guardian's. */
int containment_guardian_main(int argc, char **argv);

/* What spawning COMMAND needs: the cgroup's directory, or -1 (no cgroup).
 * clone3's CLONE_INTO_CGROUP starts the child in it (spawn.c); where that
 * is refused, or on an architecture without the shared clone3 start, the
 * child moves itself in through its cgroup.procs before it runs anything
 * of COMMAND's. */
int containment_spawn_fd(const struct containment *containment);

/* COMMAND could not be started into the cgroup (error, an errno): under
 * auto the tree walk still holds it.  Returns true when the spawn should
 * be tried again without a cgroup. */
bool containment_spawn_failed(struct containment *containment, int error);

/* COMMAND has started (and execs, on the other CPU): the cgroup's
 * housekeeping off the start's path (cgroup_sweep_stale). */
void containment_started(struct containment *containment);

/* Who a stop signal is for, and where it is written down. */
struct containment_target {
	struct child *child;
	struct report *report;
	int verbose;
	bool group;		/* COMMAND's group, not COMMAND alone */
	bool supervisor;	/* COMMAND is a nested timeout: it translates
				 * the signal for its own command */
	bool whole_tree;	/* the rest of the tree too (not a signal
				 * passed on from outside) */
	const char *cause;	/* for the report */
	int step;
	bool killed_group;	/* set: KILL reached COMMAND's group */
};

/* Send sig to COMMAND, its group and, as the target asks and the
 * containment can, the rest of its tree.  Returns 0 or -errno. */
int containment_signal(struct containment *containment, struct containment_target *target,
		       int sig);

/* The tree's pids, parents first, in a malloc'ed array in *pids: how
 * many, or -errno. */
int containment_list(const struct containment *containment, pid_t **pids);

/* Whether a KILL already reached every member at once (cgroup.kill): the
 * rest are dying, there is no grace to give. */
bool containment_all_killed(const struct containment *containment);

/* What the loop polls (POLLPRI) while it waits for the tree to empty:
 * cgroup.events; -1 for the walk, which learns of deaths by SIGCHLD. */
int containment_watch(const struct containment *containment);

/* Whether nothing of the tree is left (watch_fd: containment_watch's). */
bool containment_empty(struct containment *containment, int watch_fd);

/* How killing what is left went. */
enum containment_kill {
	CONTAINMENT_GONE,	/* nothing left alive */
	CONTAINMENT_KILLING,	/* KILL went out (count: to how many, -1 for
				 * all at once, uncounted), or no KILL was
				 * needed this time */
	CONTAINMENT_WAITING,	/* all have their KILL: waiting for them */
	CONTAINMENT_STUCK,	/* KILL went out, but the walk keeps finding
				 * processes: time to give up */
};

/* KILL what is left of the tree once COMMAND has ended.  The walk's KILL
 * is a round, repeated by each call (a process may fork between the scan
 * and its KILL); the cgroup's is one write, sent once.  *count: how many
 * got KILL now (0 when none did). */
enum containment_kill containment_kill_rest(struct containment *containment, int *count);

/* The longest the loop may wait before looking again while the tree
 * empties (killed: its KILL is out), in ms, or -1 for no limit. */
int containment_recheck_ms(const struct containment *containment, bool killed, int watch_fd);

/* Say that the tree would not die. */
void containment_say_stuck(const struct containment *containment);

/* altimer gives up on a running command: everything the cgroup holds is
 * KILLed at once.  (The walk's tree is left to the group's KILL the caller
 * sends, as before this interface.) */
void containment_abandon(struct containment *containment);

/* At the end: the cgroup's totals into usage when asked (only the report
 * shows them: a dozen cgroup files are not read for nothing), then the
 * cgroup goes.  Safe more than once. */
void containment_end(struct containment *containment, bool want_usage);

#endif
