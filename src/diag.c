/* diag.c - everything altimer says on stderr, in one place. */
#include "config.h"
#include "diag.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include "util.h"

static const char *program = PACKAGE;
static int charset_utf8 = -1;	/* the locale's charset is UTF-8; -1: not read yet */
/* A private, non-blocking description of stderr where it could block
 * (pipe, FIFO, terminal); -1 to write fd 2 as it is. */
static int private_fd = -1;
static bool is_socket;
static unsigned long dropped;

void diag_init(const char *argv0)
{
	if (argv0 && *argv0)
		program = argv0;
}

/* GNU's quote() picks its quotation marks by the locale's charset.  The
 * locale is loaded on the first quote, not at start: a run that says
 * nothing does not pay for reading it. */
static bool locale_is_utf8(void)
{
	if (charset_utf8 < 0)
		charset_utf8 = setlocale(LC_CTYPE, "") != NULL &&
		       strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	return charset_utf8;
}

bool diag_locale_utf8(void)
{
	return locale_is_utf8();
}

void diag_never_block(void)
{
	/* Under a tiny descriptor limit the command's needs come first (the
	 * signalfd, the exec pipe, the pidfd): stderr is written as it is,
	 * and the locale is read now, while a descriptor for it is free. */
	if (descriptor_limit() < 16) {
		(void)locale_is_utf8();
		return;
	}
	private_fd = reopen_nonblocking(STDERR_FILENO, &is_socket);
}

const char *diag_program(void)
{
	return program;
}

unsigned long diag_dropped(void)
{
	return dropped;
}

/* One line, all or nothing: lines are shorter than PIPE_BUF, so a pipe
 * takes them whole or refuses with EAGAIN. */
static bool emit(const char *line, size_t len)
{
	ssize_t n;

	do {
		if (is_socket)
			n = send(STDERR_FILENO, line, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			n = write(private_fd >= 0 ? private_fd : STDERR_FILENO, line, len);
	} while (n < 0 && errno == EINTR);
	return n == (ssize_t)len;
}

static void say(int error, const char *format, va_list args)
{
	char line[2048];
	int len = snprintf(line, sizeof line, "%s: ", program);

	if (len < 0 || (size_t)len >= sizeof line)
		len = 0;
	int more = vsnprintf(line + len, sizeof line - (size_t)len, format, args);
	if (more > 0)
		len += more;
	if ((size_t)len >= sizeof line - 1)
		len = (int)sizeof line - 2;
	if (error)
		len += snprintf(line + len, sizeof line - (size_t)len, ": %s", strerror(error));
	if ((size_t)len >= sizeof line - 1)
		len = (int)sizeof line - 2;
	line[len++] = '\n';

	fflush(stderr);
	if (dropped) {
		char note[96];
		int n = snprintf(note, sizeof note, "%s: (%lu message%s lost: stderr was not reading)\n",
				 program, dropped, dropped == 1 ? "" : "s");
		if (n > 0 && (size_t)n < sizeof note && emit(note, (size_t)n))
			dropped = 0;
	}
	if (!emit(line, (size_t)len))
		dropped++;
}

void diag(const char *format, ...)
{
	va_list args;
	int saved = errno;

	va_start(args, format);
	say(0, format, args);
	va_end(args);
	errno = saved;
}

void diag_errno(int error, const char *format, ...)
{
	va_list args;
	int saved = errno;

	va_start(args, format);
	say(error, format, args);
	va_end(args);
	errno = saved;
}

const char *diag_quote(const char *s, char *buf, size_t size)
{
	bool utf8 = locale_is_utf8();
	const char *left = utf8 ? "\xe2\x80\x98" : "'";
	const char *right = utf8 ? "\xe2\x80\x99" : "'";
	size_t right_len = strlen(right), len = strlen(s), out = 0;
	mbstate_t state;
	char piece[16];

	memset(&state, 0, sizeof state);
	if (size == 0)
		return buf;
#define PUT(text, n)                                                  \
	do {                                                          \
		size_t put_n = (n);                                   \
		if (out + put_n + right_len + 1 > size)               \
			goto full;                                    \
		memcpy(buf + out, (text), put_n);                     \
		out += put_n;                                         \
	} while (0)
	PUT(left, strlen(left));
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		const char *escape = NULL;

		switch (c) {
		case '\a': escape = "\\a"; break;
		case '\b': escape = "\\b"; break;
		case '\f': escape = "\\f"; break;
		case '\n': escape = "\\n"; break;
		case '\r': escape = "\\r"; break;
		case '\t': escape = "\\t"; break;
		case '\v': escape = "\\v"; break;
		case '\\': escape = "\\\\"; break;
		}
		if (escape) {
			PUT(escape, 2);
			i++;
			continue;
		}
		/* The closing quotation mark inside the name is escaped. */
		if (strncmp(s + i, right, right_len) == 0) {
			PUT("\\", 1);
			PUT(right, right_len);
			i += right_len;
			continue;
		}
		if (c < 0x80) {
			if (c >= 0x20 && c < 0x7f) {
				PUT(s + i, 1);
			} else {
				snprintf(piece, sizeof piece, "\\%03o", c);
				PUT(piece, 4);
			}
			i++;
			continue;
		}
		wchar_t wide;
		size_t n = utf8 ? mbrtowc(&wide, s + i, len - i, &state) : (size_t)-1;
		if (n != (size_t)-1 && n != (size_t)-2 && n != 0 && iswprint((wint_t)wide)) {
			PUT(s + i, n);
			i += n;
			continue;
		}
		memset(&state, 0, sizeof state);
		snprintf(piece, sizeof piece, "\\%03o", c);
		PUT(piece, 4);
		i++;
	}
#undef PUT
full:
	memcpy(buf + out, right, right_len);
	buf[out + right_len] = '\0';
	return buf;
}
