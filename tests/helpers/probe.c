/* probe.c - run by the tests as COMMAND: reports what altimer passed on.
 *
 *   probe fds       open descriptors other than 0, 1, 2, one per line
 *   probe mask      blocked signals, as a hex mask (SigBlk)
 *   probe ignored   ignored signals, as a hex mask (SigIgn)
 *   probe pgid      "pid pgid" of this process
 *   probe trap SIG... FILE  write each caught signal's number to FILE, then wait
 *   probe count NOTE STOP FILE  count signal NOTE until STOP comes, then
 *                   take every NOTE still pending and print the count;
 *                   "ready" goes to FILE once both are blocked
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int trap_fd = -1;

static void on_signal(int sig)
{
	char buf[16];
	int len = snprintf(buf, sizeof buf, "%d\n", sig);
	(void)!write(trap_fd, buf, (size_t)len);
	if (sig == SIGTERM)
		_exit(0);
}

static int status_field(const char *field)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, field, strlen(field)) == 0)
			fputs(line + strlen(field) + 1 + strspn(line + strlen(field) + 1, " \t"), stdout);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "fds") == 0) {
		DIR *d = opendir("/proc/self/fd");
		struct dirent *e;
		int self = dirfd(d);
		while ((e = readdir(d)) != NULL) {
			int fd = atoi(e->d_name);
			char target[256] = "";
			char path[64];
			if (e->d_name[0] == '.' || fd <= 2 || fd == self)
				continue;
			snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
			(void)!readlink(path, target, sizeof target - 1);
			printf("%d %s\n", fd, target);
		}
		closedir(d);
		return 0;
	}
	if (strcmp(argv[1], "mask") == 0)
		return status_field("SigBlk:");
	if (strcmp(argv[1], "ignored") == 0)
		return status_field("SigIgn:");
	if (strcmp(argv[1], "pgid") == 0) {
		printf("%d %d\n", (int)getpid(), (int)getpgid(0));
		return 0;
	}
	if (strcmp(argv[1], "trap") == 0 && argc >= 4) {
		struct sigaction action = { .sa_handler = on_signal };
		trap_fd = open(argv[argc - 1], O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (trap_fd < 0)
			return 2;
		for (int i = 2; i < argc - 1; i++)
			sigaction(atoi(argv[i]), &action, NULL);
		(void)!write(trap_fd, "ready\n", 6);
		for (;;)
			pause();
	}
	if (strcmp(argv[1], "count") == 0 && argc == 5) {
		/* Blocked first thing: a note that came before would end the
		 * process by its default action. */
		int note = atoi(argv[2]), stop = atoi(argv[3]), fd;
		struct timespec none = { 0, 0 };
		sigset_t set, notes;
		long count = 0;

		sigemptyset(&set);
		sigaddset(&set, note);
		sigaddset(&set, stop);
		sigemptyset(&notes);
		sigaddset(&notes, note);
		sigprocmask(SIG_BLOCK, &set, NULL);
		fd = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, "ready\n", 6) != 6)
			return 2;
		close(fd);
		/* sigwaitinfo takes the lowest number first: STOP before the
		 * notes pending with it, which are taken after. */
		while (sigwaitinfo(&set, NULL) == note)
			count++;
		while (sigtimedwait(&notes, NULL, &none) == note)
			count++;
		printf("%ld\n", count);
		return 0;
	}
	return 2;
}
