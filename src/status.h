/* status.h - altimer's exit status: GNU timeout's table in one function. */
#ifndef ALTIMER_STATUS_H
#define ALTIMER_STATUS_H

#include <stdbool.h>

enum {
	STATUS_TIMED_OUT = 124,		/* COMMAND timed out, without -p */
	STATUS_CANCELED = 125,		/* altimer itself failed */
	STATUS_CANNOT_INVOKE = 126,	/* COMMAND found but not runnable */
	STATUS_NOT_FOUND = 127,		/* COMMAND not found */
};

/* How a run ended, as far as the exit status goes. */
struct status_facts {
	int exec_error;		/* errno of COMMAND's failed exec, or 0 */
	int si_code;		/* CLD_EXITED, CLD_KILLED or CLD_DUMPED */
	int status;		/* exit status, or the signal it died of */
	bool timed_out;		/* a limit fired */
	bool killed_group;	/* KILL went to COMMAND's group, where GNU's
				 * would have taken GNU itself */
	bool preserve_status;	/* -p */
};

/* The exit status GNU timeout (9.11) gives for facts; *reraise is set to
 * the signal altimer must die of instead (the caller's wait() then sees
 * what it would see under GNU), or 0.  A failed exec gives 126 or 127
 * unless the deadline came first (and -p is off), as under GNU, whose
 * command dies of the signal before its exec. */
int status_decide(const struct status_facts *facts, int *reraise);

#endif
