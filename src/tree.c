/* tree.c - the command's whole process tree: finding, signalling, reaping.
 *
 * Descendants are found by walking /proc/PID/task/TID/children down from
 * altimer (the clean-up, and kernels without those files, read every
 * /proc/PID/stat and follow parent links instead).  Between that scan and
 * the signal a process could exit and its PID be reused, so each one is
 * pinned first with a process handle and then checked again: same PID,
 * same start time means the handle holds the process the scan saw, and a
 * pidfd signal cannot hit anything else. */
#include "config.h"
#include "tree.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pidref.h"
#include "procfs.h"
#include "util.h"

struct member {
	struct procfs_stat stat;
	bool descendant;
	bool supervised;	/* below a nested timeout: its business */
};

struct members {
	struct member *items;
	size_t count;
	size_t capacity;
};

/* Descriptors set aside for the walk: reading a children list while its
 * tasks directory is open, or a stat while holding a pidfd, takes two at
 * once.  Without them a command that used up altimer's limit would keep
 * escaped processes out of reach. */
#define WALK_DESCRIPTORS 2
static int spare[WALK_DESCRIPTORS] = { -1, -1 };

int tree_reserve_descriptors(void)
{
	/* Under a limit of 32 or more altimer's own few leave room enough:
	 * the walk's looks are then not slowed by the reserve's round trip
	 * (two closes, two opens). */
	if (!few_descriptors())
		return 0;
	for (int i = 0; i < WALK_DESCRIPTORS; i++) {
		if (spare[i] >= 0)
			continue;
		spare[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (spare[i] < 0)
			return -errno;
	}
	return 0;
}

/* Free the reserve for a walk; the walk takes it back after. */
static void reserve_release(void)
{
	for (int i = 0; i < WALK_DESCRIPTORS; i++) {
		close_quietly(spare[i]);
		spare[i] = -1;
	}
}

static pid_t excluded;

void tree_exclude(pid_t pid)
{
	excluded = pid;
}

int tree_become_subreaper(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

static int members_add(struct members *members, const struct procfs_stat *stat,
		       bool descendant)
{
	if (members->count == members->capacity) {
		size_t capacity = members->capacity ? members->capacity * 2 : 64;
		struct member *items = realloc(members->items, capacity * sizeof *items);
		if (items == NULL)
			return -ENOMEM;
		members->items = items;
		members->capacity = capacity;
	}
	members->items[members->count++] = (struct member){ *stat, descendant, false };
	return 0;
}

static int add_process(pid_t pid, void *context)
{
	struct procfs_stat stat;

	if (procfs_stat(pid, &stat) < 0)
		return 0; /* gone since /proc was listed */
	return members_add(context, &stat, false);
}

static int scan_every_process(struct members *members)
{
	members->count = 0;
	return procfs_every_process(add_process, members);
}

static int add_child(pid_t pid, void *context)
{
	struct procfs_stat stat;

	if (pid == excluded)
		return 0;
	if (procfs_stat(pid, &stat) < 0)
		return 0; /* gone since the list was read */
	return members_add(context, &stat, true);
}

/* Only altimer's descendants, walking down the children lists: cheap
 * however many processes the machine runs. */
static int scan_descendants(struct members *members)
{
	int r;

	members->count = 0;
	/* altimer has one thread: orphans come to it, the subreaper. */
	r = procfs_children(getpid(), true, add_child, members);
	for (size_t i = 0; r == 0 && i < members->count; i++) {
		const struct procfs_stat *stat = &members->items[i].stat;
		/* A zombie leader may have live threads, with children. */
		r = procfs_children(stat->pid, stat->threads == 1 && stat->state != 'Z',
				    add_child, members);
	}
	return r;
}

/* Mark everything whose parent chain reaches altimer. */
static void mark_descendants(struct members *members)
{
	pid_t self = getpid();
	bool changed = true;

	while (changed) {
		changed = false;
		for (size_t i = 0; i < members->count; i++) {
			struct member *member = &members->items[i];
			if (member->descendant || member->stat.pid == excluded)
				continue;
			if (member->stat.ppid == self) {
				member->descendant = changed = true;
				continue;
			}
			for (size_t j = 0; j < members->count; j++) {
				if (members->items[j].descendant &&
				    members->items[j].stat.pid == member->stat.ppid) {
					member->descendant = changed = true;
					break;
				}
			}
		}
	}
}

/* Every process, descendants marked by following parent links.  Slower,
 * but unlike the children lists it cannot miss a process that is being
 * handed to altimer as subreaper: its old parent stays visible (as a
 * zombie) until altimer reaps it, after the hand-over. */
static int scan_thoroughly(struct members *members)
{
	int r = scan_every_process(members);

	if (r == 0)
		mark_descendants(members);
	return r;
}

/* The descendants, by children lists where the kernel has them. */
static int scan(struct members *members, bool thorough)
{
	int r = thorough ? -ENOENT : scan_descendants(members);

	return r == -ENOENT ? scan_thoroughly(members) : r;
}

/* A nested timeout, known by more than its name, which a user's script
 * (./timeout) has too and runs its interpreter: an altimer runs altimer's
 * binary, or one named altimer; GNU's runs an executable named timeout
 * (busybox's, busybox) and, unless --foreground, leads the group it made
 * for its command.  Where /proc/PID/exe cannot be read (another user's
 * process), the name is all there is to go by. */
static bool runs_a_timeout(const struct procfs_stat *stat)
{
	char exe[4096];
	const char *base;
	ssize_t len;

	if (strcmp(stat->comm, "altimer") != 0 && strcmp(stat->comm, "timeout") != 0)
		return false;
	len = procfs_executable(stat->pid, exe, sizeof exe);
	if (len < 0)
		return len == -EACCES || len == -EPERM;
	base = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
	if (procfs_runs_own_binary(stat->pid) || strcmp(base, "altimer") == 0)
		return true;
	return (strcmp(base, "timeout") == 0 || strcmp(base, "busybox") == 0) &&
	       stat->pgid == stat->pid;
}

bool tree_is_supervisor(pid_t pid)
{
	struct procfs_stat stat;

	return procfs_stat(pid, &stat) == 0 && runs_a_timeout(&stat);
}

/* Mark whatever has a nested timeout among its ancestors. */
static void mark_supervised(struct members *members)
{
	bool changed = true;

	while (changed) {
		changed = false;
		for (size_t i = 0; i < members->count; i++) {
			struct member *member = &members->items[i];
			if (member->supervised)
				continue;
			for (size_t j = 0; j < members->count; j++) {
				const struct member *parent = &members->items[j];
				if (parent->stat.pid == member->stat.ppid &&
				    (parent->supervised || runs_a_timeout(&parent->stat))) {
					member->supervised = changed = true;
					break;
				}
			}
		}
	}
}

/* Signal one process seen by the scan, only if it is still that process.
 * A KILL is not sent again to a process already dying of one (a group KILL
 * reaches it before it has exited, more so on a loaded machine): nothing is
 * left to do, and the report would list a signal that changed nothing.
 * Returns 1 when signalled, 0 when gone or skipped, or -errno. */
static int signal_seen(const struct procfs_stat *seen, int sig)
{
	struct pidref handle;
	struct procfs_stat now;
	int r = pidref_open(&handle, seen->pid);

	if (r < 0)
		return r == -ESRCH ? 0 : r;
	/* With a pidfd held, this check cannot go stale. */
	if (procfs_stat(seen->pid, &now) < 0 || now.start_time != seen->start_time ||
	    (sig == SIGKILL && (now.exiting || procfs_kill_pending(seen->pid)))) {
		pidref_close(&handle);
		return 0;
	}
	r = pidref_signal(&handle, sig, false);
	pidref_close(&handle);
	if (r < 0)
		return r == -ESRCH ? 0 : r;
	return 1;
}

/* tree_signal without the descriptor reserve, which only altimer holds. */
static int signal_descendants(int sig, pid_t except, pid_t except_group, bool thorough)
{
	struct members members = { 0 };
	int r = scan(&members, thorough), signalled = 0;

	/* A nested timeout gets the signal and translates it for its own
	 * command, as it would under GNU; only KILL goes past it. */
	if (r == 0 && sig != SIGKILL)
		mark_supervised(&members);
	for (size_t i = 0; r == 0 && i < members.count; i++) {
		const struct member *member = &members.items[i];
		if (!member->descendant || member->stat.pid == except || member->stat.state == 'Z' ||
		    member->supervised)
			continue;
		if (except_group > 0 && member->stat.pgid == except_group)
			continue;
		int sent = signal_seen(&member->stat, sig);
		if (sent > 0)
			signalled++;
		else if (sent < 0 && r == 0)
			r = sent; /* out of descriptors: said, not swallowed */
	}
	free(members.items);
	return r < 0 ? r : signalled;
}

int tree_signal(int sig, pid_t except, pid_t except_group, bool thorough)
{
	int r;

	reserve_release();
	r = signal_descendants(sig, except, except_group, thorough);
	(void)tree_reserve_descriptors();
	return r;
}

int tree_kill_until_empty(pid_t watched, int *watched_status, const sigset_t *wake)
{
	struct timespec pause = { 0, 10 * 1000000 };

	for (int round = 0; round < 1000; round++) {
		siginfo_t info;
		pid_t pid;
		int wstatus;

		while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0)
			if (pid == watched)
				*watched_status = wstatus;
		memset(&info, 0, sizeof info);
		if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD)
			return 0;
		/* The children lists may miss a process while it is handed
		 * over; the next round, a SIGCHLD or 10 ms later, finds it. */
		(void)signal_descendants(SIGKILL, 0, 0, false);
		(void)sigtimedwait(wake, NULL, &pause);
	}
	return -ETIMEDOUT;
}

int tree_count_live(bool thorough)
{
	struct members members = { 0 };
	int r, live = 0;

	reserve_release();
	r = scan(&members, thorough);
	for (size_t i = 0; r == 0 && i < members.count; i++)
		if (members.items[i].descendant && members.items[i].stat.state != 'Z')
			live++;
	free(members.items);
	(void)tree_reserve_descriptors();
	return r < 0 ? r : live;
}

int tree_list(pid_t **pids)
{
	struct members members = { 0 };
	size_t count = 0;
	int r = scan(&members, false);

	*pids = NULL;
	if (r == 0 && (*pids = malloc((members.count ? members.count : 1) * sizeof **pids)) == NULL)
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < members.count; i++)
		if (members.items[i].descendant)
			(*pids)[count++] = members.items[i].stat.pid;
	free(members.items);
	return r < 0 ? r : (int)count;
}

int tree_reap_orphans(pid_t command)
{
	int reaped = 0;

	for (;;) {
		siginfo_t info;
		memset(&info, 0, sizeof info);
		/* Peek first: the command's own status belongs to child.c. */
		if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 || info.si_pid == 0)
			break;
		if (info.si_pid == command)
			break;
		pid_t orphan = info.si_pid;
		if (waitid(P_PID, (id_t)orphan, &info, WEXITED | WNOHANG) < 0)
			break;
		/* Its pid is free now: a process of the tree may get it. */
		if (orphan == excluded)
			excluded = 0;
		reaped++;
	}
	return reaped;
}

bool tree_has_children(void)
{
	siginfo_t info;

	/* ECHILD means no child at all, running or zombie.  Any process left
	 * of the tree would have an ancestor among altimer's children: one
	 * that exits hands its own children to altimer before it can be
	 * reaped. */
	memset(&info, 0, sizeof info);
	return !(waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD);
}
