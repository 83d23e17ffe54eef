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

/* "pid (comm) state ppid ... starttime(22nd)": comm may hold spaces and
 * parentheses, so fields are counted from the last ')'. */
int procfs_stat(pid_t pid, struct procfs_stat *stat)
{
	char path[64], buf[2048];
	char *p;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	n = procfs_read_small(path, buf, sizeof buf);
	if (n <= 0)
		return n == -ENOENT || n == 0 ? -ESRCH : (int)n;
	p = strrchr(buf, ')');
	char *open_paren = strchr(buf, '(');
	if (p == NULL || p[1] != ' ' || open_paren == NULL || open_paren > p)
		return -EINVAL;
	*stat = (struct procfs_stat){ .pid = pid, .state = p[2] };
	size_t comm_len = (size_t)(p - open_paren - 1);
	if (comm_len >= sizeof stat->comm)
		comm_len = sizeof stat->comm - 1;
	memcpy(stat->comm, open_paren + 1, comm_len);
	p += 2;
	/* Fields after comm: 3 state, 4 ppid, 5 pgrp, 9 flags, 22 starttime. */
	for (int field = 3; field < 22 && p != NULL; field++) {
		if (field == 4)
			stat->ppid = (pid_t)strtol(p, NULL, 10);
		else if (field == 5)
			stat->pgid = (pid_t)strtol(p, NULL, 10);
		else if (field == 9)
			stat->exiting = (strtoul(p, NULL, 10) & TASK_FLAG_EXITING) != 0;
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p == NULL)
		return -EINVAL;
	stat->start_time = strtoull(p, NULL, 10);
	return 0;
}

/* The SigPnd and ShdPnd masks of /proc/PID/status; bit N-1 stands for
 * signal N. */
bool procfs_kill_pending(pid_t pid)
{
	char path[64], buf[2048];
	const char *names[] = { "\nSigPnd:", "\nShdPnd:" };

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (procfs_read_small(path, buf, sizeof buf) <= 0)
		return false;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *line = strstr(buf, names[i]);
		if (line && (strtoull(line + strlen(names[i]), NULL, 16) >> (SIGKILL - 1)) & 1)
			return true;
	}
	return false;
}

int procfs_children(pid_t pid, int (*add)(pid_t child, void *context), void *context)
{
	char path[64];
	DIR *tasks;
	struct dirent *task;
	int r = 0;

	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	tasks = opendir(path);
	if (tasks == NULL)
		return errno == ENOENT ? 0 : -errno; /* exited meanwhile */
	while (r == 0 && (task = readdir(tasks)) != NULL) {
		char *list, *p, *end;
		ssize_t n;

		if (!isdigit((unsigned char)task->d_name[0]))
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid,
			 atoi(task->d_name));
		/* A thousand children take more than a page: read it all. */
		n = procfs_read_all(path, &list);
		if (n == -ENOENT && pid == getpid())
			r = -ENOENT;
		else if (n == -ENOMEM || n == -EMFILE || n == -ENFILE)
			r = (int)n;
		if (n <= 0) {
			free(list); /* an empty list is still a buffer */
			continue;
		}
		for (p = list; r == 0; p = end) {
			long child = strtol(p, &end, 10);
			if (end == p)
				break;
			r = add((pid_t)child, context);
		}
		free(list);
	}
	closedir(tasks);
	return r;
}

bool procfs_in_cgroup(pid_t pid, const char *name)
{
	char path[64], text[4096], *line, *end;
	size_t len = strlen(name);

	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
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
