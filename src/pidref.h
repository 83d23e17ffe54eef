/* pidref.h - one handle on one process: open, signal, wait (a "pidref",
 * as systemd calls it).
 *
 * A handle holds a pidfd where the kernel and any sandbox allow one, so a
 * signal can never reach a recycled PID; where they refuse (ENOSYS, EPERM)
 * it falls back to kill() and waitid(P_PID), and remembers that decision
 * for every later handle instead of failing again and again. */
#ifndef ALTIMER_PIDREF_H
#define ALTIMER_PIDREF_H

#include <signal.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

struct pidref {
	pid_t pid;		/* 0 when the handle holds nothing */
	int pidfd;		/* -1 on the fallback path */
};

#define PIDREF_NONE ((struct pidref){ .pid = 0, .pidfd = -1 })

/* Never take pidfds (ALTIMER_NO_PIDFD, tests of the fallback path). */
void pidref_refuse_pidfds(void);

/* Take a handle on pid: a pidfd where allowed.  Returns 0, -ESRCH when pid
 * is gone, or -errno. */
int pidref_open(struct pidref *handle, pid_t pid);

/* Send sig to the process, or with group to the process group it leads
 * (a pidfd can name the group from Linux 6.9 on; kill(-pid) before).
 * Returns 0 or -errno (-ESRCH: gone). */
int pidref_signal(struct pidref *handle, int sig, bool group);

/* waitid() on the process: the pidfd where there is one, else its PID.
 * usage, when not NULL, receives its rusage.  Returns 0 or -errno. */
int pidref_wait(const struct pidref *handle, siginfo_t *info, int options,
	      struct rusage *usage);

/* Close the pidfd, if any; the handle holds nothing after. */
void pidref_close(struct pidref *handle);

/* True when handles hold pidfds. */
bool pidref_has_pidfd(const struct pidref *handle);

#endif
