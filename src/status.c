/* status.c - altimer's exit status: GNU timeout's table in one function,
 * apart from the run, so a unit test can go through it row by row
 * (tests/unit/status.c). */
#include "config.h"
#include "status.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

int status_decide(const struct status_facts *facts, int *reraise)
{
	int sig;

	*reraise = 0;
	if (facts->exec_error && !(facts->timed_out && !facts->preserve_status))
		return facts->exec_error == ENOENT ? STATUS_NOT_FOUND : STATUS_CANNOT_INVOKE;
	/* GNU's KILL to its own process group takes GNU with it: the caller
	 * sees death by KILL.  altimer's group is not COMMAND's, so it dies of
	 * KILL by itself, after the report and the clean-up.  Only if the KILL
	 * is what ended COMMAND: one that exited (or died of the first
	 * signal) between the ladder's decision and its KILL ended before it,
	 * and its end is told as any other after a timeout. */
	if (facts->killed_group && facts->si_code == CLD_KILLED && facts->status == SIGKILL) {
		*reraise = SIGKILL;
		return 128 + SIGKILL;
	}
	if (facts->si_code == CLD_EXITED)
		return facts->timed_out && !facts->preserve_status ? STATUS_TIMED_OUT
								   : facts->status;
	sig = facts->status;
	/* A KILL after the deadline is told apart from a plain timeout (137
	 * under --foreground, as GNU). */
	if (facts->timed_out && sig == SIGKILL)
		return 128 + sig;
	if (facts->timed_out && !facts->preserve_status)
		return STATUS_TIMED_OUT;
	/* Dying of COMMAND's signal only when it was not a timeout, as GNU:
	 * with --preserve-status a timeout gives 128+N. */
	if (!facts->timed_out)
		*reraise = sig;
	return 128 + sig;
}
