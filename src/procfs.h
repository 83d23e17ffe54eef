/* procfs.h - reading /proc: one process's stat and status, its children.
 *
 * The one reader of /proc/PID/ files: no other file opens them. */
#ifndef ALTIMER_PROCFS_H
#define ALTIMER_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* What /proc/PID/stat says of a process, as far as altimer needs it. */
struct procfs_stat {
	pid_t pid;
	pid_t ppid;
	pid_t pgid;
	char state;		/* R, S, D, T, Z, ... */
	bool exiting;		/* PF_EXITING: already on its way out */
	unsigned long long user_time;	/* clock ticks of CPU, in user mode */
	unsigned long long system_time;	/* ... and in the kernel */
	long threads;
	unsigned long long start_time;	/* clock ticks after boot */
	long rss_pages;		/* resident memory, in pages */
	char comm[64];		/* its name, maybe cut short (a kernel
				 * worker's may be longer than 16 bytes) */
};

/* Read a small /proc file into buf as a string, with one read (the kernel
 * makes such a read consistent).  Returns its length, or -errno. */
ssize_t procfs_read_small(const char *path, char *buf, size_t size);

/* Read a /proc file of any length: a malloc'ed string in *text.  Returns
 * its length, or -errno. */
ssize_t procfs_read_all(const char *path, char **text);

/* Keep /proc/PID/stat open for procfs_stat(pid) (COMMAND's, from its
 * start), until procfs_release() or another procfs_hold().  Where it
 * cannot be opened, procfs_stat reads the path, as for any process. */
void procfs_hold(pid_t pid);
void procfs_release(void);

/* Parse /proc/PID/stat.  Returns 0, -ESRCH when pid is gone, or -errno. */
int procfs_stat(pid_t pid, struct procfs_stat *stat);

/* Read /proc/PID/NAME (a small file: wchan, stack, cmdline) into buf as a
 * string.  Returns its length, or -errno. */
ssize_t procfs_read_process(pid_t pid, const char *name, char *buf, size_t size);

/* Call add(pid, context) for every process on the machine, as /proc lists
 * them.  Stops at the first non-zero return of add and returns it; returns
 * -errno when /proc cannot be read. */
int procfs_every_process(int (*add)(pid_t pid, void *context), void *context);

/* Whether /proc/PID exists: 1 yes, 0 no, -errno when /proc itself cannot
 * be read (not mounted), which says nothing of pid. */
int procfs_exists(pid_t pid);

/* The file pid runs (/proc/PID/exe) in buf as a string.  Returns its
 * length, or -errno (-EACCES for another user's process). */
ssize_t procfs_executable(pid_t pid, char *buf, size_t size);

/* Whether pid runs the very file altimer runs from (same device and
 * inode), whatever its name. */
bool procfs_runs_own_binary(pid_t pid);

/* Whether pid's cgroup (v2, /proc/PID/cgroup's "0::" line) is a
 * directory called name, not one below or beside it. */
bool procfs_in_cgroup(pid_t pid, const char *name);

/* Whether pid has a KILL pending, to itself or its thread group. */
bool procfs_kill_pending(pid_t pid);

/* Call add(pid, context) for each child of pid, as listed by every one of
 * its threads' /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN), however
 * long the lists are; with one_thread, pid's only thread is known to be
 * pid itself (its stat said one thread, and it is no zombie), whose list
 * is read without listing the threads.  Stops at the first non-zero
 * return of add and returns it; returns -ENOENT when the kernel has no
 * such files. */
int procfs_children(pid_t pid, bool one_thread, int (*add)(pid_t child, void *context),
		    void *context);

#endif
