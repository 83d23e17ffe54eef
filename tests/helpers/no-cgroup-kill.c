/* no-cgroup-kill.c - LD_PRELOAD into altimer: no cgroup.kill, as Linux
 * before 5.14, on any kernel.
 *
 * Where the file is missing altimer kills a cgroup's tree itself: it
 * freezes the cgroup and walks it and every nested cgroup, KILLing the
 * members each cgroup.procs lists.  This wrapper makes opening
 * "cgroup.kill" fail with ENOENT, so a test shows on this machine what
 * altimer does on Debian 11's 5.10. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>

static int refused(const char *name)
{
	const char *base = strrchr(name, '/');

	return strcmp(base ? base + 1 : name, "cgroup.kill") == 0;
}

int openat(int dir_fd, const char *name, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	mode_t mode = 0;
	va_list args;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(args, flags);
		mode = va_arg(args, mode_t);
		va_end(args);
	}
	if (refused(name)) {
		errno = ENOENT;
		return -1;
	}
	if (real == NULL)
		real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	return real(dir_fd, name, flags, mode);
}

int openat64(int dir_fd, const char *name, int flags, ...)
	__attribute__((alias("openat")));
