/* signames.c - signal names and numbers, as GNU coreutils spells them.
 *
 * The table order matters: as in gnulib's sig2str, the first entry for a
 * number is its canonical name (ABRT before IOT, CHLD before CLD, POLL
 * before IO), so `-v` prints exactly what GNU timeout prints. */
#include "config.h"
#include "signames.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	int sig;
	const char *name;
} names[] = {
	{ 0, "EXIT" },
	{ SIGHUP, "HUP" },	{ SIGINT, "INT" },	{ SIGQUIT, "QUIT" },
	{ SIGILL, "ILL" },	{ SIGTRAP, "TRAP" },	{ SIGABRT, "ABRT" },
	{ SIGFPE, "FPE" },	{ SIGKILL, "KILL" },	{ SIGSEGV, "SEGV" },
	{ SIGBUS, "BUS" },	{ SIGPIPE, "PIPE" },	{ SIGALRM, "ALRM" },
	{ SIGTERM, "TERM" },	{ SIGUSR1, "USR1" },	{ SIGUSR2, "USR2" },
	{ SIGCHLD, "CHLD" },	{ SIGURG, "URG" },	{ SIGSTOP, "STOP" },
	{ SIGTSTP, "TSTP" },	{ SIGCONT, "CONT" },	{ SIGTTIN, "TTIN" },
	{ SIGTTOU, "TTOU" },	{ SIGSYS, "SYS" },	{ SIGPOLL, "POLL" },
	{ SIGVTALRM, "VTALRM" }, { SIGPROF, "PROF" },	{ SIGXCPU, "XCPU" },
	{ SIGXFSZ, "XFSZ" },	{ SIGIOT, "IOT" },	{ SIGPWR, "PWR" },
	{ SIGWINCH, "WINCH" },	{ SIGCHLD, "CLD" },	{ SIGIO, "IO" },
	{ SIGSTKFLT, "STKFLT" },
};

#define NAME_COUNT (sizeof names / sizeof names[0])

/* Digits only, no sign or blanks; -1 unless the whole string is a number. */
static long parse_number(const char *text)
{
	char *end;
	long value;

	if (!isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	value = strtol(text, &end, 10);
	if (*end != '\0' || errno != 0 || value > INT_MAX)
		return -1;
	return value;
}

/* The offset after RTMIN or RTMAX, read as gnulib's str2sig reads it: with
 * strtol, so leading blanks, a sign and any number of leading zeros are
 * fine (RTMIN1, "RTMIN 1", RTMIN-0, RTMAX+0), as long as the number is all
 * there is; nothing at all is 0. */
static bool parse_offset(const char *text, long *offset)
{
	char *end;

	errno = 0;
	*offset = strtol(text, &end, 10);
	return *end == '\0' && errno == 0;
}

/* RTMIN+n (0 <= n) and RTMAX-n (n <= 0), within the real-time range. */
static int parse_realtime(const char *upper)
{
	long offset;

	if (strncmp(upper, "RTMIN", 5) == 0 && parse_offset(upper + 5, &offset) &&
	    offset >= 0 && offset <= SIGRTMAX - SIGRTMIN)
		return SIGRTMIN + (int)offset;
	if (strncmp(upper, "RTMAX", 5) == 0 && parse_offset(upper + 5, &offset) &&
	    offset <= 0 && offset >= SIGRTMIN - SIGRTMAX)
		return SIGRTMAX + (int)offset;
	return -EINVAL;
}

/* A name without "SIG", already upper case: gnulib's str2sig. */
static int parse_bare_name(const char *upper)
{
	long number = parse_number(upper);

	if (number >= 0)
		return number <= SIGRTMAX ? (int)number : -EINVAL;
	for (size_t i = 0; i < NAME_COUNT; i++)
		if (strcmp(upper, names[i].name) == 0)
			return names[i].sig;
	return parse_realtime(upper);
}

int signal_parse(const char *text)
{
	char check[SIGNAME_MAX];
	int sig;

	if (text == NULL)
		return -EINVAL;
	if (isdigit((unsigned char)text[0])) {
		long number = parse_number(text);
		if (number < 0)
			return -EINVAL;
		/* Exit statuses of signalled commands (128+N, ksh's 256+N)
		 * name the signal, as in GNU's operand2sig. */
		sig = (int)(number & (number >= 0xFF ? 0xFF : 0x7F));
	} else {
		/* Any length: an offset may have any number of zeros. */
		char *upper = strdup(text);
		if (upper == NULL)
			return -ENOMEM;
		for (char *c = upper; *c != '\0'; c++)
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 'a' + 'A');
		sig = parse_bare_name(upper);
		if (sig < 0 && strncmp(upper, "SIG", 3) == 0)
			sig = parse_bare_name(upper + 3);
		free(upper);
		if (sig < 0)
			return -EINVAL;
	}
	/* Numbers between the classic and the real-time signals (32, 33 are
	 * glibc's own) name nothing a user can send. */
	if (signal_name(sig, check) == NULL)
		return -EINVAL;
	return sig;
}

const char *signal_name(int sig, char *buf)
{
	for (size_t i = 0; i < NAME_COUNT; i++) {
		if (names[i].sig == sig) {
			snprintf(buf, SIGNAME_MAX, "%s", names[i].name);
			return buf;
		}
	}
	if (sig < SIGRTMIN || sig > SIGRTMAX)
		return NULL;
	if (sig == SIGRTMIN)
		snprintf(buf, SIGNAME_MAX, "RTMIN");
	else if (sig == SIGRTMAX)
		snprintf(buf, SIGNAME_MAX, "RTMAX");
	else if (sig <= (SIGRTMIN + SIGRTMAX) / 2)
		snprintf(buf, SIGNAME_MAX, "RTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, SIGNAME_MAX, "RTMAX-%d", SIGRTMAX - sig);
	return buf;
}

void signal_each(void (*fn)(int sig, const char *name, void *data), void *data)
{
	char buf[SIGNAME_MAX];

	for (int sig = 1; sig <= SIGRTMAX; sig++)
		if (signal_name(sig, buf) != NULL)
			fn(sig, buf, data);
}
