/* quote.c - user input quoted for a message, as GNU's quote() does.
 *
 * GNU timeout names the bad operand with quote() ("invalid time interval
 * 'a\nb'"), which in the C locale writes C escapes between apostrophes.
 * altimer does not follow the locale (GNU's curly quotes in a UTF-8 one),
 * so its messages are the same bytes everywhere. */
#include "config.h"
#include "quote.h"

#include <stdio.h>
#include <string.h>

/* The escape for byte c, into out (5 bytes); its length. */
static size_t escape(unsigned char c, char *out)
{
	static const char letters[] = "\aa\bb\ff\nn\rr\tt\vv\\\\''";
	const char *letter = c != '\0' ? memchr(letters, c, sizeof letters - 1) : NULL;

	/* letters holds pairs: the byte, then its letter. */
	if (letter != NULL && (letter - letters) % 2 == 0) {
		out[0] = '\\';
		out[1] = letter[1];
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		out[0] = (char)c;
		return 1;
	}
	snprintf(out, 5, "\\%03o", c);
	return 4;
}

const char *quote(const char *text, char *buf, size_t size)
{
	size_t used = 0;
	char piece[5];

	if (size < 3) {
		if (size > 0)
			buf[0] = '\0';
		return buf;
	}
	buf[used++] = '\'';
	for (const char *p = text; *p != '\0'; p++) {
		size_t len = escape((unsigned char)*p, piece);
		/* Keep room for the closing apostrophe and the NUL. */
		if (used + len + 2 > size)
			break;
		memcpy(buf + used, piece, len);
		used += len;
	}
	buf[used++] = '\'';
	buf[used] = '\0';
	return buf;
}
