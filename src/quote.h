/* quote.h - user input quoted for a message, as GNU's quote() does. */
#ifndef ALTIMER_QUOTE_H
#define ALTIMER_QUOTE_H

#include <stddef.h>

/* Room for a quoted text of this many bytes: each byte takes at most four
 * ("\ooo"), plus the two quotes and the NUL. */
#define QUOTE_SIZE(len) ((len) * 4 + 3)

/* Write TEXT between apostrophes into buf, escaped as GNU coreutils'
 * quote() escapes it in the C locale: \n \t and the other C escapes, \\,
 * \' and \ooo for every other byte that is not printable ASCII, so a
 * message stays one line whatever the user typed.  A text too long for
 * size is cut short (still closed by an apostrophe).  Returns buf. */
const char *quote(const char *text, char *buf, size_t size);

#endif
