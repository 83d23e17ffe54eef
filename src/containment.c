/* containment.c - the command's whole tree, held by its own cgroup or by
 * the subreaper's walk, behind one interface.
 *
 * The cgroup (cgroup.c) holds every member whatever it does: KILL is one
 * write, a signal can reach all members while they are frozen, its end is
 * an event (cgroup.events), and a guardian kills it should altimer die.
 * The walk (tree.c) follows altimer's descendants, altimer being their
 * subreaper: it can miss a process while it is being handed over, so its
 * KILL is repeated until nothing is left.  Each function below picks the
 * one in use; nothing outside this file asks which. */
#include "config.h"
#include "containment.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "duration.h"
#include "signames.h"
#include "tree.h"

/* A walk that keeps finding processes is given up after this many KILL
 * rounds, or the caller's time limit. */
#define TREE_ROUNDS_MAX 200
/* How often the walk looks again after its KILL: it sees no event for a
 * process that forked after its scan.  cgroup.events, when it could not be
 * opened, is read again as often. */
#define TREE_RESCAN_MS 50
#define CGROUP_REREAD_MS 20

static struct cgroup *cgroup_for_exit;

/* The command's cgroup goes on every way out of altimer. */
static void remove_cgroup(void)
{
	if (cgroup_for_exit)
		(void)cgroup_remove(cgroup_for_exit);
}

static bool uses_cgroup(const struct containment *containment)
{
	return cgroup_dir_fd(&containment->cgroup) >= 0;
}

static const char *name_of(int sig, char *buf)
{
	if (signal_name(sig, buf) == NULL)
		snprintf(buf, SIGNAME_MAX, "%d", sig);
	return buf;
}

void containment_init(struct containment *containment)
{
	/* No name until containment_setup: a report of an earlier failure
	 * says null. */
	*containment = (struct containment){ .name = NULL };
	cgroup_init(&containment->cgroup);
}

int containment_setup(struct containment *containment, const struct options *options)
{
	char *why = containment->reason;
	size_t size = sizeof containment->reason;
	int r;

	containment->whole_tree = options->contain && !options->foreground;
	if (options->foreground || options->contain_mode == CONTAIN_GROUP) {
		containment->name = "group";
		snprintf(why, size, "%s", options->foreground ? "--foreground" : "--contain=group");
		return 0;
	}
	containment->name = "tree";
	if (options->contain_mode == CONTAIN_TREE) {
		snprintf(why, size, "--contain=tree");
		return 0;
	}
	/* The cgroup holds two descriptors for the whole run (its directory,
	 * the guardian's pipe): under a tiny limit auto leaves them to the
	 * command's relay and the tree walk, which worked there before. */
	if (options->contain_mode == CONTAIN_AUTO && few_descriptors()) {
		snprintf(why, size, "the descriptor limit (%llu) leaves none for a cgroup",
			 descriptor_limit());
		return 0;
	}
	containment->cgroup_optional = options->contain_mode == CONTAIN_AUTO;
	r = cgroup_create(&containment->cgroup, why, size);
	if (r < 0)
		return options->contain_mode == CONTAIN_CGROUP ? r : 0;
	containment->name = "cgroup";
	cgroup_for_exit = &containment->cgroup;
	atexit(remove_cgroup);
	return 0;
}

int containment_reserve(struct containment *containment, const struct options *options)
{
	int r;

	if (containment->whole_tree && (r = tree_reserve_descriptors()) < 0) {
		if (options->contain_mode != CONTAIN_AUTO || uses_cgroup(containment) ||
		    (r != -EMFILE && r != -ENFILE))
			return r;
		containment->whole_tree = false;
		containment->name = "group";
		snprintf(containment->reason, sizeof containment->reason,
			 "the descriptor limit leaves none for the tree walk");
	}
	/* Orphans of the tree come to altimer, not init, so a timeout can
	 * still reach them.  Without it containment is only the group. */
	(void)tree_become_subreaper();
	return 0;
}

/* How long the tree may take to end after altimer's death before the
 * guardian KILLs it: as long as the ladder would have given it from its
 * first signal to its last, or 1 s without a later step; at most 60 s. */
static int guardian_grace_ms(const struct options *options)
{
	uint64_t total = 0;

	for (int step = 1; step < options->ladder_steps; step++) {
		if (options->ladder[step].delay == DURATION_NONE)
			break;
		total += options->ladder[step].delay;
		if (total > 60 * 1000000000ull)
			return 60000;
	}
	return total ? (int)(total / 1000000) + 1 : 1000;
}

void containment_guardian_start(struct containment *containment, const struct options *options)
{
	char *why = containment->reason;
	size_t size = sizeof containment->reason;
	size_t len = strlen(why);
	int r;

	if (!uses_cgroup(containment))
		return;
	r = cgroup_guardian_start(&containment->cgroup, options->timeout_signal,
				  guardian_grace_ms(options));
	if (r < 0)
		snprintf(why + len, size - len, " (no guardian: %s)", strerror(-r));
	else
		tree_exclude(r);
}

int containment_guardian_main(int argc, char **argv)
{
	if (argc > 0 && strcmp(argv[0], CGROUP_GUARDIAN_NAME) == 0)
		return cgroup_guardian_main(argc, argv);
	return -1;
}

int containment_spawn_fd(const struct containment *containment)
{
	return cgroup_dir_fd(&containment->cgroup);
}

bool containment_spawn_failed(struct containment *containment, int error)
{
	if (!uses_cgroup(containment) || !containment->cgroup_optional)
		return false;
	snprintf(containment->reason, sizeof containment->reason,
		 "cannot start the command in its cgroup: %s", strerror(error));
	containment->name = "tree";
	remove_cgroup();
	return true;
}

void containment_started(struct containment *containment)
{
	if (uses_cgroup(containment)) {
		cgroup_sweep_stale(&containment->cgroup);
		cgroup_hold(&containment->cgroup);
	}
}

/* The walk: the rest of the tree, processes that left COMMAND's group too. */
static void signal_tree(struct containment_target *target, int sig)
{
	char name[SIGNAME_MAX];
	pid_t pid = target->child->pid;
	int count = tree_signal(sig, pid, pid, false);

	if (count < 0) {
		/* Never silently: what the walk could not reach may survive. */
		diag_errno(-count, "cannot signal the rest of the command's tree");
		return;
	}
	if (count == 0)
		return;
	report_signal(target->report, sig, "tree", pid, count, target->cause, target->step);
	if (target->verbose >= 2)
		diag("sending signal %s to %d more process%s of the command's tree",
		     name_of(sig, name), count, count == 1 ? "" : "es");
}

/* Cgroup mode: KILL is one write to cgroup.kill, reaching every level.
 * Any other signal goes to the group first, then to the members of this
 * cgroup that left it, not those of nested cgroups (an inner altimer or
 * timeout translates the signal for its own command).  With members
 * outside the group, the cgroup is frozen meanwhile, so no member can
 * react (exit, be reaped, fork) before all have it.  Mostly the group is
 * all there is: its one signal reaches all at once, and a freeze would
 * only cost the command two wake-ups before it acts.  One that left the
 * group after the look is listed after the group's signal, and gets it
 * then (twice, if it left in between). */
static int signal_cgroup(struct containment *containment, struct containment_target *target,
			 int sig)
{
	struct cgroup *cgroup = &containment->cgroup;
	struct child *child = target->child;
	struct report *report = target->report;
	const char *cause = target->cause;
	int step = target->step;
	pid_t pid = child->pid;
	int count, r;

	if (sig == SIGKILL) {
		r = cgroup_kill(cgroup);
		if (r == 0) {
			/* The group was in it: GNU would have died of it too. */
			target->killed_group = true;
			report_signal(report, sig, "cgroup", pid, -1, cause, step);
		}
		return r;
	}
	/* A nested GNU timeout shares COMMAND's level and group with its
	 * own command: it alone gets the signal, and translates it. */
	if (target->supervisor) {
		r = child_signal(child, sig, false);
		if (r == 0)
			report_signal(report, sig, "command", pid, -1, cause, step);
		/* Stopped, it must still act on the signal, as GNU continues
		 * its command. */
		if (r == 0 && sig != SIGCONT && child_signal(child, SIGCONT, false) == 0)
			report_signal(report, SIGCONT, "command", pid, -1, cause, step);
		return r == -ESRCH ? 0 : r;
	}
	bool freeze = cgroup_count_outside(cgroup, pid) != 0;
	if (freeze)
		cgroup_freeze(cgroup);
	r = child_signal(child, sig, true);
	if (r == 0)
		report_signal(report, sig, "group", pid, -1, cause, step);
	count = cgroup_signal(cgroup, sig, pid);
	if (count > 0) {
		char name[SIGNAME_MAX];
		report_signal(report, sig, "tree", pid, count, cause, step);
		if (target->verbose >= 2)
			diag("sending signal %s to %d more process%s of the command's cgroup",
			     name_of(sig, name), count, count == 1 ? "" : "es");
	}
	/* A stopped member must still act on the signal. */
	if (sig != SIGCONT) {
		if (child_signal(child, SIGCONT, true) == 0)
			report_signal(report, SIGCONT, "group", pid, -1, cause, step);
		if (freeze || count > 0)
			(void)cgroup_signal(cgroup, SIGCONT, pid);
	}
	if (freeze)
		cgroup_thaw(cgroup);
	return r == -ESRCH ? 0 : r;
}

int containment_signal(struct containment *containment, struct containment_target *target,
		       int sig)
{
	struct child *child = target->child;
	bool group = target->group, supervisor = target->supervisor;
	const char *who = group && !supervisor ? "group" : "command";
	int r;

	if (target->whole_tree && group && containment->whole_tree && uses_cgroup(containment))
		return signal_cgroup(containment, target, sig);
	bool whole_tree = target->whole_tree && group && containment->whole_tree && !supervisor;
	/* Any other signal reaches the rest of the tree first, while the
	 * command still holds it: once the group's signal has killed the
	 * command, its children are being handed to altimer, and a walk of
	 * the children lists can miss them.  KILL goes to the command first:
	 * killing its escaped children first could let it see them die and
	 * exit by itself (137 from a shell's wait, read as a plain timeout)
	 * before its own KILL lands; whatever the walk then misses while
	 * being handed over gets the same KILL from the clean-up. */
	if (whole_tree && sig != SIGKILL)
		signal_tree(target, sig);
	r = child_signal(child, sig, group && !supervisor);
	if (r < 0 && r != -ESRCH)
		return r;
	if (whole_tree && sig == SIGKILL)
		signal_tree(target, sig);
	if (r == 0 && sig == SIGKILL && group)
		target->killed_group = true;
	if (r == 0)
		report_signal(target->report, sig, who, child->pid, -1, target->cause,
			      target->step);
	/* A stopped command must still act on the signal. */
	if (group && sig != SIGKILL && sig != SIGCONT) {
		if (child_signal(child, SIGCONT, true) == 0)
			report_signal(target->report, SIGCONT, who, child->pid, -1,
				      target->cause, target->step);
		if (whole_tree)
			(void)tree_signal(SIGCONT, child->pid, child->pid, false);
	}
	return 0;
}

int containment_list(const struct containment *containment, pid_t **pids)
{
	(void)containment;
	/* The cgroup's members are altimer's descendants too, and the walk
	 * lists them parents first, as the snapshot shows them. */
	return tree_list(pids);
}

bool containment_all_killed(const struct containment *containment)
{
	return containment->cgroup.killed;
}

int containment_watch(const struct containment *containment)
{
	return uses_cgroup(containment) ? cgroup_events_open(&containment->cgroup) : -1;
}

bool containment_empty(struct containment *containment, int watch_fd)
{
	if (uses_cgroup(containment))
		return cgroup_populated_at(&containment->cgroup, watch_fd) <= 0;
	return !tree_has_children() || tree_count_live(true) <= 0;
}

/* One KILL of the walk's. */
static enum containment_kill tree_kill_round(struct containment *containment, int *count)
{
	int live;

	(void)tree_reap_orphans(0);
	live = tree_has_children() ? tree_count_live(true) : 0;
	containment->live = live;
	if (live <= 0)
		return CONTAINMENT_GONE;
	/* Those already dying of a KILL are waited for, not killed again. */
	int killed = tree_signal(SIGKILL, 0, 0, true);
	*count = killed > 0 ? killed : 0;
	return ++containment->rounds >= TREE_ROUNDS_MAX ? CONTAINMENT_STUCK : CONTAINMENT_KILLING;
}

enum containment_kill containment_kill_rest(struct containment *containment, int *count)
{
	*count = 0;
	if (!uses_cgroup(containment))
		return tree_kill_round(containment, count);
	if (containment->rest_killed)
		return CONTAINMENT_WAITING;
	containment->rest_killed = true;
	int left = cgroup_count(&containment->cgroup);
	/* After the ladder's KILL the rest are already dying: waited for,
	 * not killed again (nor listed as leftovers). */
	if (!containment->cgroup.killed && cgroup_kill(&containment->cgroup) == 0)
		*count = left > 0 ? left : -1;
	return CONTAINMENT_KILLING;
}

int containment_recheck_ms(const struct containment *containment, bool killed, int watch_fd)
{
	if (!uses_cgroup(containment))
		return killed ? TREE_RESCAN_MS : -1;
	return watch_fd < 0 ? CGROUP_REREAD_MS : -1;
}

void containment_say_stuck(const struct containment *containment)
{
	if (uses_cgroup(containment))
		diag("the command's cgroup is not empty 10 s after KILL");
	else
		diag("%d process%s of the command could not be killed", containment->live,
		     containment->live == 1 ? "" : "es");
}

void containment_abandon(struct containment *containment)
{
	(void)cgroup_kill(&containment->cgroup);
}

void containment_end(struct containment *containment, bool want_usage)
{
	if (want_usage)
		cgroup_usage(&containment->cgroup, &containment->usage);
	remove_cgroup();
}
