/* procfs.c - reading /proc: one process's stat and status, its children.
 *
 * Every /proc format altimer relies on is parsed here, once. */
#include "config.h"
#include "procfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* The kernel's PF_EXITING task flag, field 9 of /proc/PID/stat. */
#define TASK_FLAG_EXITING 0x4u

ssize_t procfs_read_small(const char *path, char *buf, size_t size)
{
	return read_small_at(AT_FDCWD, path, buf, size);
}

ssize_t procfs_read_all(const char *path, char **text)
{
	return read_all_at(AT_FDCWD, path, text);
}

/* "/proc/PID" or "/proc/PID/rest" in path, formed without printf, as
 * the rest of altimer's default path is (util.h's format_uint and join):
 * a timeout reads /proc/PID/stat, and printf's code would map pages of
 * libc GNU timeout never touches. */
static void process_path(char *path, size_t size, pid_t pid, const char *rest)
{
	char number[24];

	format_uint(number, (unsigned)pid);
	join(path, size, "/proc/", number, *rest ? "/" : "", rest, NULL);
}

ssize_t procfs_read_process(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];

	process_path(path, sizeof path, pid, name);
	return procfs_read_small(path, buf, size);
}

/* COMMAND's stat, held open from its start (procfs_hold): a limit's first
 * signal waits on reading it (is COMMAND a nested timeout?), and looking
 * up /proc/PID costs more than the read.  The descriptor stays with the
 * process it was opened on; once that has been reaped, the path is read
 * again, as the PID may be another process's. */
static struct {
	pid_t pid;
	int fd;
} held = { 0, -1 };

void procfs_hold(pid_t pid)
{
	char path[64];

	procfs_release();
	process_path(path, sizeof path, pid, "stat");
	held.fd = open(path, O_RDONLY | O_CLOEXEC);
	held.pid = held.fd >= 0 ? pid : 0;
}

void procfs_release(void)
{
	close_quietly(held.fd);
	held.fd = -1;
	held.pid = 0;
}

static ssize_t read_stat(pid_t pid, char *buf, size_t size)
{
	if (pid == held.pid && held.fd >= 0) {
		ssize_t n = pread(held.fd, buf, size - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			return n;
		}
	}
	return procfs_read_process(pid, "stat", buf, size);
}

/* "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt
 * majflt cmajflt utime stime cutime cstime priority nice num_threads
 * itrealvalue starttime vsize rss ...": comm may hold spaces and
 * parentheses, so fields are counted from the last ')'. */
int procfs_stat(pid_t pid, struct procfs_stat *stat)
{
	char buf[2048];
	unsigned long long value[25] = { 0 };
	char *p, *open_paren;
	ssize_t n = read_stat(pid, buf, sizeof buf);

	if (n <= 0)
		return n == -ENOENT || n == 0 ? -ESRCH : (int)n;
	p = strrchr(buf, ')');
	open_paren = strchr(buf, '(');
	if (p == NULL || p[1] != ' ' || open_paren == NULL || open_paren > p)
		return -EINVAL;
	*stat = (struct procfs_stat){ .pid = pid, .state = p[2] };
	/* The name, cut to fit as snprintf would, without printf's code. */
	size_t len = (size_t)(p - open_paren - 1);
	if (len >= sizeof stat->comm)
		len = sizeof stat->comm - 1;
	memcpy(stat->comm, open_paren + 1, len);
	stat->comm[len] = '\0';
	p += 2;
	int field;
	for (field = 3; field <= 24 && p != NULL; field++) {
		if (field > 3)
			value[field] = strtoull(p, NULL, 10);
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	/* Up to starttime (22) every field must be there. */
	if (field <= 22)
		return -EINVAL;
	stat->ppid = (pid_t)value[4];
	stat->pgid = (pid_t)value[5];
	stat->exiting = (value[9] & TASK_FLAG_EXITING) != 0;
	stat->user_time = value[14];
	stat->system_time = value[15];
	stat->threads = (long)value[20];
	stat->start_time = value[22];
	stat->rss_pages = (long)value[24];
	return 0;
}

int procfs_every_process(int (*add)(pid_t pid, void *context), void *context)
{
	DIR *dir = opendir("/proc");
	struct dirent *entry;
	int r = 0;

	if (dir == NULL)
		return -errno;
	while (r == 0 && (entry = readdir(dir)) != NULL)
		if (isdigit((unsigned char)entry->d_name[0]))
			r = add((pid_t)atoi(entry->d_name), context);
	closedir(dir);
	return r;
}

int procfs_exists(pid_t pid)
{
	char path[32];

	if (access("/proc/self", F_OK) != 0)
		return -errno;
	process_path(path, sizeof path, pid, "");
	return access(path, F_OK) == 0;
}

ssize_t procfs_executable(pid_t pid, char *buf, size_t size)
{
	char path[48];
	ssize_t len;

	process_path(path, sizeof path, pid, "exe");
	len = readlink(path, buf, size - 1);
	if (len < 0)
		return -errno;
	buf[len] = '\0';
	return len;
}

bool procfs_runs_own_binary(pid_t pid)
{
	static struct stat self;
	static int known = -1;
	struct stat other;
	char path[48];

	if (known < 0)
		known = stat("/proc/self/exe", &self) == 0;
	process_path(path, sizeof path, pid, "exe");
	return known && stat(path, &other) == 0 && other.st_dev == self.st_dev &&
	       other.st_ino == self.st_ino;
}

/* The SigPnd and ShdPnd masks of /proc/PID/status; bit N-1 stands for
 * signal N. */
bool procfs_kill_pending(pid_t pid)
{
	char path[64], buf[2048];
	const char *names[] = { "\nSigPnd:", "\nShdPnd:" };

	process_path(path, sizeof path, pid, "status");
	if (procfs_read_small(path, buf, sizeof buf) <= 0)
		return false;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *line = strstr(buf, names[i]);
		if (line && (strtoull(line + strlen(names[i]), NULL, 16) >> (SIGKILL - 1)) & 1)
			return true;
	}
	return false;
}

/* One thread's children file, its PIDs passed to add. */
static int thread_children(pid_t pid, const char *tid,
			   int (*add)(pid_t child, void *context), void *context)
{
	char path[64], rest[64], *list, *p, *end;
	ssize_t n;
	int r = 0;

	join(rest, sizeof rest, "task/", tid, "/children", NULL);
	process_path(path, sizeof path, pid, rest);
	/* A thousand children take more than a page: read it all. */
	n = procfs_read_all(path, &list);
	if (n == -ENOENT && pid == getpid())
		r = -ENOENT;
	else if (n == -ENOMEM || n == -EMFILE || n == -ENFILE)
		r = (int)n;
	if (n <= 0) {
		free(list); /* an empty list is still a buffer */
		return r;
	}
	for (p = list; r == 0; p = end) {
		long child = strtol(p, &end, 10);
		if (end == p)
			break;
		r = add((pid_t)child, context);
	}
	free(list);
	return r;
}

int procfs_children(pid_t pid, bool one_thread,
		    int (*add)(pid_t child, void *context), void *context)
{
	char path[64];
	DIR *tasks;
	struct dirent *task;
	int r = 0;

	/* Its only thread is the one named by its PID: no directory to list
	 * (most processes, and the cheapest look at a leaf). */
	if (one_thread) {
		char tid[24];
		format_uint(tid, (unsigned)pid);
		return thread_children(pid, tid, add, context);
	}
	process_path(path, sizeof path, pid, "task");
	tasks = opendir(path);
	if (tasks == NULL)
		return errno == ENOENT ? 0 : -errno; /* exited meanwhile */
	while (r == 0 && (task = readdir(tasks)) != NULL)
		if (isdigit((unsigned char)task->d_name[0]))
			r = thread_children(pid, task->d_name, add, context);
	closedir(tasks);
	return r;
}

bool procfs_in_cgroup(pid_t pid, const char *name)
{
	char path[64], text[4096], *line, *end;
	size_t len = strlen(name);

	process_path(path, sizeof path, pid, "cgroup");
	if (procfs_read_small(path, text, sizeof text) <= 0)
		return false;
	for (line = text; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (strncmp(line, "0::", 3) != 0)
			continue;
		size_t at = strlen(line);
		return at >= len + 1 && line[at - len - 1] == '/' && strcmp(line + at - len, name) == 0;
	}
	return false;
}
