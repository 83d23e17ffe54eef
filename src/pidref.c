/* pidref.c - one handle on one process: open, signal, wait.
 *
 * The raw pidfd system calls live here and nowhere else.  A sandbox may
 * allow pidfd_open but refuse pidfd_send_signal (or the reverse): each
 * refusal is remembered on its own, so the fallback is decided once. */
#include "config.h"
#include "pidref.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/* waitid's idtype for a pidfd (Linux 5.4); glibc only names it from 2.36. */
#define IDTYPE_PIDFD 3
/* Linux 6.9: signal the process group whose leader the pidfd names.
 * Not yet in every distribution's headers. */
#ifndef PIDFD_SIGNAL_PROCESS_GROUP
#define PIDFD_SIGNAL_PROCESS_GROUP (1U << 2)
#endif

static bool open_refused;	/* pidfd_open gave ENOSYS or EPERM */
static bool signal_refused;	/* pidfd_send_signal did */
static bool group_refused;	/* ... or EINVAL for the group flag (< 6.9) */

void pidref_refuse_pidfds(void)
{
	open_refused = true;
}

static bool refusal(int error)
{
	return error == ENOSYS || error == EPERM;
}

int pidref_open(struct pidref *handle, pid_t pid)
{
	*handle = PIDREF_NONE;
	handle->pid = pid;
	if (open_refused)
		return 0;
	handle->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (handle->pidfd >= 0)
		return 0;
	if (refusal(errno)) {
		open_refused = true;
		return 0;
	}
	return -errno;
}

int pidref_signal(struct pidref *handle, int sig, bool group)
{
	if (handle->pidfd >= 0 && !signal_refused && !(group && group_refused)) {
		if (syscall(SYS_pidfd_send_signal, handle->pidfd, sig, NULL,
			    group ? PIDFD_SIGNAL_PROCESS_GROUP : 0) == 0)
			return 0;
		if (refusal(errno))
			signal_refused = true;
		else if (errno == EINVAL && group)
			group_refused = true;
		else
			return -errno;
	}
	/* kill() is safe as long as nobody else reaps the process: altimer's
	 * own children, or a process the caller re-checked just before. */
	if (kill(group ? -handle->pid : handle->pid, sig) < 0)
		return -errno;
	return 0;
}

int pidref_wait(const struct pidref *handle, siginfo_t *info, int options,
	      struct rusage *usage)
{
	memset(info, 0, sizeof *info);
	for (;;) {
		/* The raw system call also fills in the rusage. */
		long r = handle->pidfd >= 0
				 ? syscall(SYS_waitid, IDTYPE_PIDFD, handle->pidfd, info, options, usage)
				 : syscall(SYS_waitid, P_PID, handle->pid, info, options, usage);
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

void pidref_close(struct pidref *handle)
{
	close_quietly(handle->pidfd);
	*handle = PIDREF_NONE;
}

bool pidref_has_pidfd(const struct pidref *handle)
{
	return handle->pidfd >= 0;
}
