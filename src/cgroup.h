/* cgroup.h - the command's own cgroup (v2): atomic kill, frozen signals,
 * the end of the tree as an event, and the tree's usage. */
#ifndef ALTIMER_CGROUP_H
#define ALTIMER_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What the whole tree used, from the cgroup's own files.  A field the
 * kernel does not provide here (a controller that is off) is -1.  The
 * cgroup is altimer's own, made for the command, so every total counts
 * from zero: no reading at the start is needed. */
struct cgroup_usage {
	bool valid;
	int64_t user_us;		/* cpu.stat user_usec */
	int64_t system_us;		/* cpu.stat system_usec */
	int64_t memory_peak;		/* memory.peak, bytes */
	int64_t pids_peak;		/* pids.peak */
	int64_t cpu_some_us;		/* cpu.pressure "some" total */
	int64_t memory_some_us;
	int64_t memory_full_us;
	int64_t io_some_us;
	int64_t io_full_us;
};

struct cgroup {
	int dir_fd;		/* the command's cgroup, or -1 */
	int parent_fd;		/* parent's directory, from cgroup_create to
				 * cgroup_sweep_stale only, or -1 */
	char name[48];		/* "altimer-PID" */
	int guardian_fd;	/* write end of its pipe, for the goodbye */
	int procs_fd;		/* its cgroup.procs and cgroup.events, held */
	int events_fd;		/* from the command's start (cgroup_hold),
				 * or -1 */
	bool killed;		/* cgroup.kill was written: all are dying */
	bool emptied;		/* cgroup_populated_at read "populated 0"
				 * after the command's start: it stays
				 * empty (nothing moves a process in) */
	/* Last, here and where a struct cgroup is kept: of its 4 KiB only
	 * the path's first bytes take a page of altimer's memory. */
	char parent[4096];	/* the cgroup it was made in (altimer's own);
				 * files there and cgroup.events are opened
				 * when needed: a low descriptor limit is
				 * spent on the command, not on this */
};

/* An empty handle: no cgroup, nothing to remove. */
void cgroup_init(struct cgroup *cgroup);

/* Make a child cgroup of altimer's own, with no controller enabled.
 * Returns 0 with "made DIR" in why, or -errno with a short reason why not
 * (both for -vv and the report). */
int cgroup_create(struct cgroup *cgroup, char *why, size_t why_size);

/* Remove the empty cgroups beside cgroup's that altimers killed together
 * with their guardians left (their altimer gone, at least 5 s old).  Off
 * the start's path: called once the command runs.  Closes the parent's
 * descriptor cgroup_create kept for it. */
void cgroup_sweep_stale(struct cgroup *cgroup);

/* Keep the cgroup's cgroup.procs and cgroup.events open from here on: a
 * limit's first signal waits on reading the one, the end of every run on
 * reading the other, and opening them costs more than the reads.  Called
 * once the command runs, off the start's path. */
void cgroup_hold(struct cgroup *cgroup);

/* The cgroup's directory (openat's base for its files, and the command's
 * way in: cgroup.procs, or clone3's CLONE_INTO_CGROUP), or -1. */
int cgroup_dir_fd(const struct cgroup *cgroup);

/* KILL every process of the cgroup and of its descendants, at once, with
 * one write to cgroup.kill; before Linux 5.14, with the cgroup frozen
 * meanwhile, member by member.  Returns 0 or -errno. */
int cgroup_kill(struct cgroup *cgroup);

/* Freeze the cgroup and its nested ones (waiting briefly until they are),
 * so that signals sent meanwhile reach every member before any of them
 * can react; cgroup_thaw lets them run again. */
void cgroup_freeze(const struct cgroup *cgroup);
void cgroup_thaw(const struct cgroup *cgroup);

/* Send sig to every process directly in the cgroup (not in nested
 * cgroups: an inner altimer gets it and translates it for its own
 * command), except the process except_group and the members of its
 * process group (signalled by the caller).  Returns how many processes
 * were signalled, or -errno. */
int cgroup_signal(const struct cgroup *cgroup, int sig, pid_t except_group);

/* How many processes directly in the cgroup are outside the process
 * group (a vanished one counts: it may have left it; group 0: all of
 * them), or -errno. */
int cgroup_count_outside(const struct cgroup *cgroup, pid_t group);

/* How many processes are directly in the cgroup, or -errno. */
int cgroup_count(const struct cgroup *cgroup);

/* Whether any process is left in the cgroup or below it: 1, 0 or -errno. */
int cgroup_populated(const struct cgroup *cgroup);

/* The same, read through cgroup_events_open's descriptor, which that
 * read also clears of its pending POLLPRI.  Only once the command has
 * started: an empty cgroup is remembered as emptied for cgroup_remove. */
int cgroup_populated_at(struct cgroup *cgroup, int events_fd);

/* Wait up to timeout_ms for the cgroup to empty.  Returns 0 when empty,
 * -ETIMEDOUT when not. */
int cgroup_wait_empty(const struct cgroup *cgroup, int timeout_ms);

/* cgroup.events, for poll(): POLLPRI when a value changes (the last
 * member gone: "populated 0").  Returns a descriptor, or -1. */
int cgroup_events_open(const struct cgroup *cgroup);

/* The tree's usage so far (cumulative totals). */
void cgroup_usage(const struct cgroup *cgroup, struct cgroup_usage *usage);

/* Start the guardian: a child of altimer's, outside the cgroup, that,
 * once altimer is gone however it died, sends sig to the cgroup's members
 * (the command got it as its parent-death signal), gives them grace_ms to
 * end, KILLs what is left and removes the cgroup.  Returns the guardian's
 * pid (no part of the command's tree: see tree_exclude), or -errno. */
int cgroup_guardian_start(struct cgroup *cgroup, int sig, int grace_ms);

/* The guardian's name, in ps and as the argv[0] it runs altimer's binary
 * with once altimer is gone. */
#define CGROUP_GUARDIAN_NAME "altimer-guard"

/* The guardian's work after altimer died, in a fresh run of altimer's
 * binary ("altimer-guard --guardian PARENT NAME DIR_FD SIG GRACE_MS").
 * Returns 0 when done, or -1 when argv is not the guardian's. */
int cgroup_guardian_main(int argc, char **argv);

/* Remove the cgroup (waiting briefly while it is still populated) and let
 * the guardian go.  Safe to call on every way out, more than once. */
int cgroup_remove(struct cgroup *cgroup);

#endif
