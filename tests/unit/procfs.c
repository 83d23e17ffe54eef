/* procfs.c - unit test of src/procfs.c, the one reader of /proc/PID files,
 * on real processes: a child whose name holds ") " and "(" (the parser
 * counts /proc/PID/stat's fields from the last ')'), altimer's own
 * binary, and a process that is gone.  TAP output for make check. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procfs.h"

/* A name that would shift every field of a parser splitting at the first
 * ')' or at spaces: 15 bytes, the kernel's limit. */
#define AWKWARD_NAME "a) b (c) d 1 2"

static int tests, failed;

static void check(int ok, const char *name)
{
	printf("%s %d %s\n", ok ? "ok" : "not ok", ++tests, name);
	if (!ok)
		failed = 1;
}

/* A child that renames itself, says so on a pipe, and waits. */
static pid_t start_child(void)
{
	int ready[2];
	char byte;
	pid_t pid;

	if (pipe(ready) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		(void)prctl(PR_SET_NAME, AWKWARD_NAME);
		(void)write(ready[1], "x", 1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (pid > 0 && read(ready[0], &byte, 1) != 1)
		pid = -1;
	close(ready[0]);
	return pid;
}

/* Whether one of this process's descriptors is open on path. */
static int holds(const char *path)
{
	DIR *fds = opendir("/proc/self/fd");
	struct dirent *entry;
	char link[320], target[PATH_MAX];
	int found = 0;

	while (fds != NULL && !found && (entry = readdir(fds)) != NULL) {
		ssize_t n;
		snprintf(link, sizeof link, "/proc/self/fd/%s", entry->d_name);
		n = readlink(link, target, sizeof target - 1);
		if (n > 0) {
			target[n] = '\0';
			found = strcmp(target, path) == 0;
		}
	}
	if (fds != NULL)
		closedir(fds);
	return found;
}

static int children_seen;
static pid_t child_wanted;

static int count_child(pid_t pid, void *context)
{
	(void)context;
	children_seen += pid == child_wanted ? 1 : 100;
	return 0;
}

int main(void)
{
	struct procfs_stat stat, own;
	char exe[4096];
	pid_t child = start_child();
	int r;

	printf("1..14\n");
	if (child < 0) {
		printf("Bail out! cannot start a child: %s\n", strerror(errno));
		return 1;
	}
	r = procfs_stat(child, &stat);
	check(r == 0 && strcmp(stat.comm, AWKWARD_NAME) == 0,
	      "a name with spaces and parentheses is read whole");
	check(r == 0 && stat.pid == child && stat.ppid == getpid() && stat.pgid == getpgrp(),
	      "pid, parent and group come from the fields after the name");
	check(r == 0 && (stat.state == 'S' || stat.state == 'R'), "a pausing child sleeps");
	check(r == 0 && stat.threads == 1 && stat.rss_pages > 0 && !stat.exiting,
	      "threads, resident pages and flags are the kernel's");
	r = procfs_stat(getpid(), &own);
	check(r == 0 && own.start_time <= stat.start_time && own.start_time > 0,
	      "a child starts no earlier than its parent");
	/* Burn CPU until the kernel's tick accounting shows it. */
	for (int i = 0; r == 0 && own.user_time + own.system_time == 0 && i < 1000; i++) {
		for (volatile long spin = 0; spin < 1000000; spin++)
			;
		r = procfs_stat(getpid(), &own);
	}
	check(r == 0 && own.user_time + own.system_time > 0, "CPU time spent is counted");
	check(procfs_executable(getpid(), exe, sizeof exe) > 0 &&
	      strcmp(strrchr(exe, '/'), "/procfs") == 0,
	      "the executable is this test's");
	check(procfs_runs_own_binary(child), "a forked child runs the same binary");
	/* This test's only child, in its own list as in the threads' ones. */
	child_wanted = child;
	children_seen = 0;
	check(procfs_children(getpid(), true, count_child, NULL) == 0 && children_seen == 1,
	      "one thread's children list, read without listing the threads");
	children_seen = 0;
	check(procfs_children(getpid(), false, count_child, NULL) == 0 && children_seen == 1,
	      "every thread's children lists");
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)child);
	procfs_hold(child);
	r = procfs_stat(child, &stat);
	check(holds(path) && r == 0 && strcmp(stat.comm, AWKWARD_NAME) == 0,
	      "a held stat is kept open and read through");
	(void)kill(child, SIGKILL);
	(void)waitpid(child, NULL, 0);
	/* Held still: the descriptor's process is gone, the path is read. */
	check(procfs_stat(child, &stat) == -ESRCH, "a reaped process is -ESRCH");
	procfs_release();
	check(!holds(path), "a released stat is closed");
	check(procfs_exists(child) == 0 && procfs_exists(getpid()) == 1,
	      "/proc/PID exists while the process does");
	return failed;
}
