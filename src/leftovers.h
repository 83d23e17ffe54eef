/* leftovers.h - the rest of the command's tree once the command has ended:
 * its grace until the ladder's next step, its KILL, and the wait for its
 * end, as events of the poll loop. */
#ifndef ALTIMER_LEFTOVERS_H
#define ALTIMER_LEFTOVERS_H

#include <stdbool.h>

#include "loop.h"

/* Once the command is reaped: nothing to do (not contained, no timeout
 * and no --no-leftovers, or nobody left), a grace while the ladder climbs,
 * or KILL now. */
void leftovers_begin(struct run *run);

/* During the grace: KILL what is left now (the ladder's next step came,
 * or a signal from outside).  Otherwise nothing. */
void leftovers_kill(struct run *run);

/* After anything happened (a SIGCHLD, cgroup.events, poll's timeout):
 * whether the tree is empty now, the grace over, the KILL repeated. */
void leftovers_check(struct run *run);

/* Whether the loop still waits for the leftovers. */
bool leftovers_pending(const struct run *run);

/* What the loop polls for them (cgroup.events, POLLPRI), or -1. */
int leftovers_poll_fd(const struct run *run);

/* poll()'s timeout meanwhile, in milliseconds, or -1 for none. */
int leftovers_poll_ms(const struct run *run);

#endif
