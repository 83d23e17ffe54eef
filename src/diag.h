/* diag.h - everything altimer says on stderr, in one place.
 *
 * Lines start with the program's name as it was invoked, as GNU tools
 * print it, and never block the poll loop: a stderr that stopped reading
 * (a stalled pipe, a terminal on Ctrl-S) loses the line, which is counted
 * and mentioned once stderr takes lines again. */
#ifndef ALTIMER_DIAG_H
#define ALTIMER_DIAG_H

#include <stdbool.h>
#include <stddef.h>

/* Remember argv[0] and the locale's quoting; call first thing. */
void diag_init(const char *argv0);

/* From now on, never block on stderr.  Opens a descriptor: call once 0, 1
 * and 2 are known to be occupied. */
void diag_never_block(void);

/* The program's name as invoked (argv[0]). */
const char *diag_program(void);

/* "NAME: message\n". */
void diag(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* "NAME: message: strerror(error)\n"; error is a positive errno. */
void diag_errno(int error, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* s quoted as GNU's quote() does: 'sleep' (‘sleep’ in a UTF-8 locale),
 * control characters and bytes that are not printable as C escapes.
 * Returns buf. */
const char *diag_quote(const char *s, char *buf, size_t size);

/* Whether the locale's charset is UTF-8 (loaded on the first call), as
 * diag_quote() decides which bytes are printable. */
bool diag_locale_utf8(void);

/* Lines lost so far because stderr would have blocked. */
unsigned long diag_dropped(void);

#endif
