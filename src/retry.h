/* retry.h - --retry: COMMAND run again after a timeout (or a failure),
 * each attempt a whole run of altimer of its own. */
#ifndef ALTIMER_RETRY_H
#define ALTIMER_RETRY_H

#include "options.h"

/* In an attempt started by retry_run(): take the attempt's deadline and
 * report file from the environment (and remove them from it, so COMMAND
 * does not see them), and retry nothing itself.  Returns 0, or -ENOMEM. */
int retry_attempt_setup(struct options *options);

/* Run argv (altimer's own) once per attempt until one needs no retry,
 * the attempts or the budget run out, or a signal comes from outside.
 * Returns the last attempt's exit status, or does not return when altimer
 * dies of the signal the last attempt died of. */
int retry_run(char **argv, const struct options *options);

#endif
