/* tree.c - the command's whole process tree: finding, signalling, reaping.
 *
 * Descendants are found by walking /proc/PID/task/TID/children down from
 * altimer (the clean-up, and kernels without those files, read every
 * /proc/PID/stat and follow parent links instead).  Between that scan and
 * the signal a process could exit and its PID be reused, so each one is
 * pinned first with pidfd_open and then checked again: same PID, same start
 * time means the pidfd holds the process the scan saw, and
 * pidfd_send_signal cannot hit anything else. */
#include "config.h"
#include "tree.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

struct proc {
	pid_t pid;
	pid_t ppid;
	pid_t pgid;
	char state;
	bool exiting;		/* PF_EXITING: already on its way out */
	unsigned long long start_time;
	bool descendant;
};

struct procs {
	struct proc *items;
	size_t count;
	size_t capacity;
};

int tree_become_subreaper(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

/* The kernel's PF_EXITING task flag, field 9 of /proc/PID/stat. */
#define TASK_FLAG_EXITING 0x4u

/* Read a small /proc file into buf as a string, with one read (the kernel
 * makes such a read consistent).  Returns its length, or -errno. */
static ssize_t read_proc_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read_retry(fd, buf, size - 1);
	close_quietly(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* Parse /proc/PID/stat: "pid (comm) state ppid ... starttime(22nd)".  comm
 * may hold spaces and parentheses, so fields are counted from the last ')'. */
static int proc_read(pid_t pid, struct proc *proc)
{
	char path[64], buf[1024];
	char *p;
	ssize_t n;
	int field;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	n = read_proc_file(path, buf, sizeof buf);
	if (n <= 0)
		return n < 0 ? (int)n : -ESRCH;
	p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ')
		return -EINVAL;
	p += 2;
	proc->pid = pid;
	proc->state = *p;
	proc->exiting = false;
	/* Fields after comm: 3 state, 4 ppid, 5 pgrp, 9 flags, 22 starttime. */
	for (field = 3; field < 22 && p != NULL; field++) {
		if (field == 4)
			proc->ppid = (pid_t)strtol(p, NULL, 10);
		else if (field == 5)
			proc->pgid = (pid_t)strtol(p, NULL, 10);
		else if (field == 9)
			proc->exiting = (strtoul(p, NULL, 10) & TASK_FLAG_EXITING) != 0;
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p == NULL)
		return -EINVAL;
	proc->start_time = strtoull(p, NULL, 10);
	proc->descendant = false;
	return 0;
}

static int procs_add(struct procs *procs, const struct proc *proc)
{
	if (procs->count == procs->capacity) {
		size_t capacity = procs->capacity ? procs->capacity * 2 : 64;
		struct proc *items = realloc(procs->items, capacity * sizeof *items);
		if (items == NULL)
			return -ENOMEM;
		procs->items = items;
		procs->capacity = capacity;
	}
	procs->items[procs->count++] = *proc;
	return 0;
}

static int procs_scan(struct procs *procs)
{
	DIR *dir = opendir("/proc");
	struct dirent *entry;

	procs->count = 0;
	if (dir == NULL)
		return -errno;
	while ((entry = readdir(dir)) != NULL) {
		struct proc proc;
		if (!isdigit((unsigned char)entry->d_name[0]))
			continue;
		if (proc_read((pid_t)atoi(entry->d_name), &proc) < 0)
			continue; /* gone since readdir */
		if (procs_add(procs, &proc) < 0) {
			closedir(dir);
			return -ENOMEM;
		}
	}
	closedir(dir);
	return 0;
}

/* Add the children of pid listed by every one of its threads'
 * /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN).  Returns -ENOENT when
 * the kernel has no such files. */
static int procs_add_children(struct procs *procs, pid_t pid)
{
	char path[64], buf[4096];
	DIR *tasks;
	struct dirent *task;
	int r = 0;

	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	tasks = opendir(path);
	if (tasks == NULL)
		return 0; /* exited meanwhile */
	while (r == 0 && (task = readdir(tasks)) != NULL) {
		char *p, *end;
		ssize_t n;

		if (!isdigit((unsigned char)task->d_name[0]))
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, atoi(task->d_name));
		n = read_proc_file(path, buf, sizeof buf);
		if (n == -ENOENT && (int)pid == getpid())
			r = -ENOENT;
		if (n <= 0)
			continue;
		for (p = buf;; p = end) {
			struct proc child;
			long child_pid = strtol(p, &end, 10);
			if (end == p)
				break;
			if (proc_read((pid_t)child_pid, &child) == 0) {
				child.descendant = true;
				r = procs_add(procs, &child);
				if (r < 0)
					break;
			}
		}
	}
	closedir(tasks);
	return r;
}

/* Only altimer's descendants, walking down the children lists: cheap
 * however many processes the machine runs. */
static int procs_scan_descendants(struct procs *procs)
{
	int r;

	procs->count = 0;
	r = procs_add_children(procs, getpid());
	for (size_t i = 0; r == 0 && i < procs->count; i++)
		r = procs_add_children(procs, procs->items[i].pid);
	return r;
}

/* Mark everything whose parent chain reaches altimer. */
static void procs_mark_descendants(struct procs *procs)
{
	pid_t self = getpid();
	bool changed = true;

	while (changed) {
		changed = false;
		for (size_t i = 0; i < procs->count; i++) {
			struct proc *proc = &procs->items[i];
			if (proc->descendant)
				continue;
			if (proc->ppid == self) {
				proc->descendant = changed = true;
				continue;
			}
			for (size_t j = 0; j < procs->count; j++) {
				if (procs->items[j].descendant && procs->items[j].pid == proc->ppid) {
					proc->descendant = changed = true;
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
static int procs_scan_all(struct procs *procs)
{
	int r = procs_scan(procs);

	if (r == 0)
		procs_mark_descendants(procs);
	return r;
}

/* The descendants, by children lists where the kernel has them. */
static int procs_scan_tree(struct procs *procs)
{
	int r = procs_scan_descendants(procs);

	return r == -ENOENT ? procs_scan_all(procs) : r;
}

/* Whether pid has a KILL pending, to itself or its thread group (the SigPnd
 * and ShdPnd masks of /proc/PID/status; bit N-1 stands for signal N). */
static bool kill_pending(pid_t pid)
{
	char path[64], buf[2048];
	const char *names[] = { "\nSigPnd:", "\nShdPnd:" };

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (read_proc_file(path, buf, sizeof buf) <= 0)
		return false;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *line = strstr(buf, names[i]);
		if (line && (strtoull(line + strlen(names[i]), NULL, 16) >> (SIGKILL - 1)) & 1)
			return true;
	}
	return false;
}

/* Signal one process seen by the scan, only if it is still that process.
 * A KILL is not sent again to a process already dying of one (a group KILL
 * reaches it before it has exited, more so on a loaded machine): nothing is
 * left to do, and the report would list a signal that changed nothing. */
static int signal_seen(const struct proc *seen, int sig, bool use_pidfd)
{
	struct proc now;
	int pidfd = -1, r = 0;

	if (use_pidfd) {
		pidfd = (int)syscall(SYS_pidfd_open, seen->pid, 0);
		if (pidfd < 0)
			return errno == ESRCH ? 0 : -errno;
	}
	/* With the pidfd held, this check cannot go stale. */
	if (proc_read(seen->pid, &now) < 0 || now.start_time != seen->start_time ||
	    (sig == SIGKILL && (now.exiting || kill_pending(seen->pid)))) {
		close_quietly(pidfd);
		return 0;
	}
	if (use_pidfd)
		r = (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
	else
		r = kill(seen->pid, sig);
	if (r < 0)
		r = errno == ESRCH ? 0 : -errno;
	else
		r = 1;
	close_quietly(pidfd);
	return r;
}

int tree_signal(int sig, pid_t except, pid_t except_group, bool use_pidfd, bool thorough)
{
	struct procs procs = { 0 };
	int r, signalled = 0;

	r = thorough ? procs_scan_all(&procs) : procs_scan_tree(&procs);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < procs.count; i++) {
		const struct proc *proc = &procs.items[i];
		if (!proc->descendant || proc->pid == except || proc->state == 'Z')
			continue;
		if (except_group > 0 && proc->pgid == except_group)
			continue;
		r = signal_seen(proc, sig, use_pidfd);
		if (r < 0 && (r == -ENOSYS || r == -EPERM) && use_pidfd)
			r = signal_seen(proc, sig, false);
		if (r > 0)
			signalled++;
	}
	r = signalled;
out:
	free(procs.items);
	return r;
}

int tree_count_live(bool thorough)
{
	struct procs procs = { 0 };
	int r, live = 0;

	r = thorough ? procs_scan_all(&procs) : procs_scan_tree(&procs);
	if (r == 0) {
		for (size_t i = 0; i < procs.count; i++)
			if (procs.items[i].descendant && procs.items[i].state != 'Z')
				live++;
		r = live;
	}
	free(procs.items);
	return r;
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
