/* signames.h - signal names and numbers, as GNU coreutils spells them. */
#ifndef ALTIMER_SIGNAMES_H
#define ALTIMER_SIGNAMES_H

#include <stddef.h>

#define SIGNAME_MAX 16

/* Parse a signal operand the way GNU timeout does: a name with or without
 * "SIG" in any case ("term", "SIGTERM"), an alias (IOT, CLD, POLL, IO), a
 * number (shell statuses such as 143 map to their signal), RTMIN+n, RTMAX-n,
 * or EXIT (0).  Returns the signal number or -EINVAL. */
int signal_parse(const char *text);

/* The canonical name without "SIG" ("TERM", "RTMIN+3"), or NULL when the
 * number names no signal.  buf must hold SIGNAME_MAX bytes. */
const char *signal_name(int sig, char *buf);

/* Call fn for every signal with a canonical name, in number order. */
void signal_each(void (*fn)(int sig, const char *name, void *data), void *data);

#endif
