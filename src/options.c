/* options.c - the command line: one option table for parsing and --help.
 *
 * popt parses, with the user's aliases from its files (/etc/popt, the
 * files of /etc/popt.d, ~/.popt: "altimer alias --ci --ladder=INT,30s,KILL").
 * Around it, a thin layer gives what a drop-in replacement for GNU
 * timeout needs and popt does not have: getopt_long's abbreviations
 * (`--sig=KILL`), kept to GNU's own options where altimer's share a prefix
 * (`--k` is --kill-after, not ambiguous with --keepalive), glibc's words
 * for every bad option, and GNU's reading of "-k=5".  Options are read in
 * order up to the first operand (POPT_CONTEXT_POSIXMEHARDER, GNU's "+"):
 * the DURATION and everything after it belong to COMMAND (`altimer 5 ls
 * -l`), and --help acts as soon as it is read. */
#include "config.h"
#include "options.h"

#include <errno.h>
#include <popt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "duration.h"
#include "relay.h"
#include "signames.h"

enum option_key {
	KEY_KEEPALIVE = 'i',
	KEY_FOREGROUND = 'f',
	KEY_KILL_AFTER = 'k',
	KEY_PRESERVE_STATUS = 'p',
	KEY_SIGNAL = 's',
	KEY_VERBOSE = 'v',
	KEY_GROUP_ONLY = 256,
	KEY_CONTAIN,
	KEY_NO_LEFTOVERS,
	KEY_NOTIFY,
	KEY_LADDER,
	KEY_EVERY,
	KEY_REPORT,
	KEY_PTY,
	KEY_CLOCK,
	KEY_ON_TIMEOUT,
	KEY_ON_TIMEOUT_LIMIT,
	KEY_HEARTBEAT,
	KEY_RETRY,
	KEY_RETRY_DELAY,
	KEY_RETRY_ON,
	KEY_BUDGET,
	KEY_HELP,
	KEY_VERSION,
};

/* The one list of options: parsing, --help, and (through tests) the man page
 * and shell completions all follow it. */
static const struct poptOption option_table[] = {
	{ "foreground", 'f', POPT_ARG_NONE, NULL, KEY_FOREGROUND,
	  "leave COMMAND in the terminal's foreground process group, so it can "
	  "read the terminal and receive its signals; only COMMAND itself is "
	  "signalled, not its children", NULL },
	{ "keepalive", 'i', POPT_ARG_STRING, NULL, KEY_KEEPALIVE,
	  "time COMMAND out when it shows no sign of life (output on stdout or "
	  "stderr, or a notify heartbeat) for this long; its output then passes "
	  "through altimer", "DURATION" },
	{ "kill-after", 'k', POPT_ARG_STRING, NULL, KEY_KILL_AFTER,
	  "if COMMAND is still running this long after the first signal, "
	  "send it KILL", "DURATION" },
	{ "preserve-status", 'p', POPT_ARG_NONE, NULL, KEY_PRESERVE_STATUS,
	  "exit with COMMAND's own status even when it timed out, instead of 124",
	  NULL },
	{ "signal", 's', POPT_ARG_STRING, NULL, KEY_SIGNAL,
	  "the signal to send at the deadline (default TERM): a name such as "
	  "HUP or SIGINT, a number, or RTMIN+n", "SIGNAL" },
	{ "verbose", 'v', POPT_ARG_NONE, NULL, KEY_VERBOSE,
	  "report each signal sent to COMMAND on standard error, in GNU "
	  "timeout's words; twice (-vv), also which limit fired and what else "
	  "altimer does; three times (-vvv), also how COMMAND's tree is held "
	  "and why", NULL },
	{ "contain", '\0', POPT_ARG_STRING, NULL, KEY_CONTAIN,
	  "how a timeout reaches COMMAND's tree: cgroup (its own cgroup, "
	  "killed as one), tree (altimer's walk of its descendants), group "
	  "(only its process group, as GNU timeout), auto (cgroup where one "
	  "can be made, else tree; the default)", "MODE" },
	{ "group-only", '\0', POPT_ARG_NONE, NULL, KEY_GROUP_ONLY,
	  "the same as --contain=group", NULL },
	{ "no-leftovers", '\0', POPT_ARG_NONE, NULL, KEY_NO_LEFTOVERS,
	  "when COMMAND ends, also KILL whatever of its tree is still running",
	  NULL },
	{ "notify", '\0', POPT_ARG_NONE, NULL, KEY_NOTIFY,
	  "serve the sd_notify protocol on a private socket named in COMMAND's "
	  "NOTIFY_SOCKET: WATCHDOG=1 is a sign of life, WATCHDOG_USEC= sets the "
	  "keepalive, EXTEND_TIMEOUT_USEC= extends the deadline, "
	  "WATCHDOG=trigger times out now", NULL },
	{ "ladder", '\0', POPT_ARG_STRING, NULL, KEY_LADDER,
	  "the escalation at a timeout, instead of -s and -k: the first SIGNAL "
	  "at the limit, each next one DELAY after the one before, e.g. "
	  "INT,5s,TERM,5s,KILL", "SIGNAL[,DELAY,SIGNAL]..." },
	{ "every", '\0', POPT_ARG_STRING, NULL, KEY_EVERY,
	  "send SIGNAL to COMMAND every INTERVAL while it runs, e.g. 10s,USR1 "
	  "to make dd print its progress", "INTERVAL,SIGNAL" },
	{ "report", '\0', POPT_ARG_STRING, NULL, KEY_REPORT,
	  "when altimer ends, write what happened as one JSON object to FILE "
	  "(replaced atomically), or to standard error for -", "FILE" },
	{ "pty", '\0', POPT_ARG_STRING, NULL, KEY_PTY,
	  "under --keepalive, give COMMAND's stdout and stderr a pseudo-terminal "
	  "(raw: bytes unchanged) instead of a pipe: auto (the default) where "
	  "altimer's own is a terminal, always, or never", "WHEN" },
	{ "clock", '\0', POPT_ARG_STRING, NULL, KEY_CLOCK,
	  "the clock of every limit and interval: awake (the default, as GNU "
	  "timeout: time suspended does not count) or boot (it counts)", "CLOCK" },
	{ "on-timeout", '\0', POPT_ARG_STRING, NULL, KEY_ON_TIMEOUT,
	  "at a timeout, before the first signal, run COMMAND with /bin/sh -c, "
	  "ALTIMER_PID, ALTIMER_PIDS and ALTIMER_REASON in its environment and "
	  "its output on standard error, e.g. to take a backtrace", "COMMAND" },
	{ "on-timeout-limit", '\0', POPT_ARG_STRING, NULL, KEY_ON_TIMEOUT_LIMIT,
	  "KILL the --on-timeout command, and all it started, after this long "
	  "(default 60s)", "DURATION" },
	{ "heartbeat", '\0', POPT_ARG_STRING, NULL, KEY_HEARTBEAT,
	  "while COMMAND is silent, print a line on standard error after each "
	  "INTERVAL of silence: time run and left, its processes, CPU and "
	  "memory, and the time since its last output (known under --keepalive)",
	  "INTERVAL" },
	{ "retry", '\0', POPT_ARG_STRING, NULL, KEY_RETRY,
	  "run COMMAND again, up to N more times, when it times out; each "
	  "attempt gets the whole DURATION and sees ALTIMER_ATTEMPT", "N" },
	{ "retry-delay", '\0', POPT_ARG_STRING, NULL, KEY_RETRY_DELAY,
	  "wait this long before the second attempt, and FACTOR times longer "
	  "before each next one, e.g. 10s,x2 (default 0)", "DURATION[,xFACTOR]" },
	{ "retry-on", '\0', POPT_ARG_STRING, NULL, KEY_RETRY_ON,
	  "what is retried: timeout (the default), or failure (any status but "
	  "0, a timeout included)", "WHAT" },
	{ "budget", '\0', POPT_ARG_STRING, NULL, KEY_BUDGET,
	  "under --retry, the time all attempts and delays together may take: "
	  "no attempt runs past it", "DURATION" },
	{ "help", '\0', POPT_ARG_NONE, NULL, KEY_HELP,
	  "show this help and exit", NULL },
	{ "version", '\0', POPT_ARG_NONE, NULL, KEY_VERSION,
	  "show the version and exit", NULL },
	POPT_TABLEEND
};

#define OPTION_COUNT (sizeof option_table / sizeof option_table[0] - 1)

static const char usage_line[] =
	"Usage: altimer [OPTION]... DURATION COMMAND [ARG]...\n";

/* GNU timeout's own options: an abbreviation that picks one of them keeps
 * meaning it whatever altimer adds to the table. */
static const char *const gnu_long_names[] = {
	"foreground", "kill-after", "preserve-status", "signal", "verbose",
	"help", "version",
};

/* A usage error as GNU prints one: "NAME: what is wrong", then "Try 'NAME
 * --help' for more information.", NAME being argv[0] as GNU's
 * program_name is. */
static void __attribute__((format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	char words[1024];
	va_list args;

	va_start(args, fmt);
	vsnprintf(words, sizeof words, fmt, args);
	va_end(args);
	diag("%s", words);
	fprintf(stderr, "Try '%s --help' for more information.\n", diag_program());
}

/* What the user typed, quoted for a message as GNU's quote() does; long
 * input is cut short.  Room for LEN bytes, each at worst a 4-byte escape,
 * between two quotation marks of up to 3 bytes. */
#define QUOTE_SIZE(len) ((len) * 4 + 7)
#define QUOTED(text, buf) diag_quote((text), (buf), sizeof (buf))

static bool takes_argument(const struct poptOption *option)
{
	return (option->argInfo & POPT_ARG_MASK) != POPT_ARG_NONE;
}

static bool is_gnu_option(const struct poptOption *option)
{
	for (size_t i = 0; i < sizeof gnu_long_names / sizeof gnu_long_names[0]; i++)
		if (strcmp(option->longName, gnu_long_names[i]) == 0)
			return true;
	return false;
}

static const struct poptOption *find_short(char c)
{
	for (size_t i = 0; i < OPTION_COUNT; i++)
		if (option_table[i].shortName == c && c != '\0')
			return &option_table[i];
	return NULL;
}

static bool abbreviates(const struct poptOption *option, const char *name, size_t len)
{
	return strncmp(option->longName, name, len) == 0;
}

/* The options NAME (LEN bytes) abbreviates, among GNU's only or among all. */
static size_t count_prefixed(const char *name, size_t len, bool gnu_only,
			     const struct poptOption **found)
{
	size_t count = 0;

	for (size_t i = 0; i < OPTION_COUNT; i++) {
		if (!abbreviates(&option_table[i], name, len) ||
		    (gnu_only && !is_gnu_option(&option_table[i])))
			continue;
		*found = &option_table[i];
		count++;
	}
	return count;
}

/* The option "--NAME" stands for (LEN bytes of NAME), as getopt_long
 * finds it: the exact name, else the one GNU option it abbreviates, else
 * the one option of all.  NULL when it names none or several (*count). */
static const struct poptOption *resolve_long(const char *name, size_t len, size_t *count)
{
	const struct poptOption *found = NULL;

	for (size_t i = 0; i < OPTION_COUNT; i++)
		if (strlen(option_table[i].longName) == len && abbreviates(&option_table[i], name, len)) {
			*count = 1;
			return &option_table[i];
		}
	*count = count_prefixed(name, len, true, &found);
	if (*count == 0)
		*count = count_prefixed(name, len, false, &found);
	return *count == 1 ? found : NULL;
}

/* Long-option WORD ("--NAME" or "--NAME=VALUE"): its option, or NULL
 * after glibc's line for an unknown or ambiguous name, which repeats the
 * whole word. */
static const struct poptOption *find_long(const char *word)
{
	const char *name = word + 2;
	size_t len = strcspn(name, "=");
	const struct poptOption *found;
	size_t count;

	found = resolve_long(name, len, &count);
	if (found)
		return found;
	if (count == 0) {
		usage_error("unrecognized option '%s'", word);
		return NULL;
	}
	/* glibc's words, candidates in table order (GNU's two for --v). */
	char candidates[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < OPTION_COUNT && used < sizeof candidates; i++)
		if (abbreviates(&option_table[i], name, len))
			used += (size_t)snprintf(candidates + used, sizeof candidates - used,
						 " '--%s'", option_table[i].longName);
	usage_error("option '%s' is ambiguous; possibilities:%s", word, candidates);
	return NULL;
}

/* "  -s, --signal=SIGNAL   text..." wrapped at 79 columns. */
static void print_option_help(const struct poptOption *option)
{
	char head[64];
	const char *text = option->descrip;
	const int column = 26;
	int used;

	if (option->shortName)
		used = snprintf(head, sizeof head, "  -%c, --%s", option->shortName, option->longName);
	else
		used = snprintf(head, sizeof head, "      --%s", option->longName);
	if (option->argDescrip)
		used += snprintf(head + used, sizeof head - (size_t)used, "=%s", option->argDescrip);
	fputs(head, stdout);
	if (used >= column - 1) {
		putchar('\n');
		used = 0;
	}
	printf("%*s", column - used, "");

	while (*text) {
		size_t room = 79 - (size_t)column;
		size_t len = strlen(text);
		if (len > room) {
			len = room;
			while (len > 0 && text[len] != ' ')
				len--;
		}
		printf("%.*s\n", (int)len, text);
		text += len;
		while (*text == ' ')
			text++;
		if (*text)
			printf("%*s", column, "");
	}
}

static void print_help(void)
{
	fputs(usage_line, stdout);
	fputs("Run COMMAND, and stop it if it is still running after DURATION.\n"
	      "\nOptions:\n", stdout);
	for (size_t i = 0; i < OPTION_COUNT; i++)
		print_option_help(&option_table[i]);
	fputs("\nDURATION is a number with an optional unit: s (seconds, the default),\n"
	      "m (minutes), h (hours), d (days), ms, us or ns; parts may be combined\n"
	      "(1h30m, 2m30.5s).  0 or inf means no deadline.\n"
	      "\nSIGNAL is a name (TERM, INT, KILL, with or without SIG, in any case),\n"
	      "a number (15), or a real-time signal (RTMIN+2, RTMAX-1).\n"
	      "\nExit status:\n"
	      "  124  COMMAND timed out and --preserve-status was not given\n"
	      "  125  altimer itself failed (bad option, duration or signal, no resources)\n"
	      "  126  COMMAND was found but could not be run\n"
	      "  127  COMMAND was not found\n"
	      "  137  COMMAND (or altimer) was sent KILL\n"
	      "  otherwise COMMAND's own status; if COMMAND died of a signal, altimer\n"
	      "  dies of the same signal (without a core dump)\n"
	      "\nCOMMAND's environment gets ALTIMER_DEADLINE, the time of the deadline\n"
	      "in seconds since the epoch, so it can budget its own steps.\n"
	      "The environment variable ALTIMER_NO_PIDFD=1 makes altimer use kill(2)\n"
	      "and SIGCHLD instead of pidfds.  See altimer(1) for details.\n", stdout);
	/* The trailer gnulib's emit_bug_reporting_address prints; from AC_INIT. */
	printf("\nReport bugs to: %s\n"
	       "%s home page: <%s>\n", PACKAGE_BUGREPORT, PACKAGE_NAME, PACKAGE_URL);
}

static void print_version(void)
{
	/* GNU's form (GNU coding standards, "--version"). */
	printf("%s %s\n"
	       "Copyright (C) %s %s.\n"
	       "License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\n"
	       "This is free software: you are free to change and redistribute it.\n"
	       "There is NO WARRANTY, to the extent permitted by law.\n"
	       "\nWritten by %s.\n",
	       PACKAGE_NAME, PACKAGE_VERSION, ALTIMER_COPYRIGHT_YEAR, ALTIMER_AUTHORS, ALTIMER_AUTHORS);
}

/* "INT,5s,TERM,5s,KILL": signals, with a delay between each two. */
static int parse_ladder(const char *value, struct options *options)
{
	static const char use[] = "use SIGNAL[,DELAY,SIGNAL]..., such as INT,5s,TERM,5s,KILL";
	char *copy = strdup(value);
	char *saveptr = NULL, *token;
	char shown[QUOTE_SIZE(64)], part[QUOTE_SIZE(32)];
	int steps = 0, r = -EINVAL;
	bool want_signal = true;

	if (copy == NULL)
		return -ENOMEM;
	QUOTED(value, shown);
	/* strtok would skip empty fields; "INT,,KILL" must be an error. */
	for (token = copy; token != NULL; token = saveptr) {
		saveptr = strchr(token, ',');
		if (saveptr)
			*saveptr++ = '\0';
		if (want_signal) {
			int sig = signal_parse(token);
			if (sig <= 0) {
				usage_error("invalid --ladder %s: %s is not a signal; %s",
					    shown, QUOTED(token, part), use);
				goto out;
			}
			options->ladder[steps++].signal = sig;
		} else if (steps == LADDER_MAX) {
			/* The delay would belong to one signal too many. */
			usage_error("invalid --ladder %s: at most %d signals", shown,
				    LADDER_MAX);
			goto out;
		} else if (duration_parse_delay(token, &options->ladder[steps].delay) < 0) {
			usage_error("invalid --ladder %s: %s is not a delay; %s",
				    shown, QUOTED(token, part), use);
			goto out;
		}
		want_signal = !want_signal;
	}
	if (want_signal) {
		usage_error("invalid --ladder %s: it must end with a signal, "
			    "such as INT,5s,TERM,5s,KILL", shown);
		goto out;
	}
	options->ladder[0].delay = 0;
	options->ladder_steps = steps;
	r = 0;
out:
	free(copy);
	return r;
}

/* "10s,USR1": a note every INTERVAL. */
static int parse_every(const char *value, struct options *options)
{
	static const char use[] = "use INTERVAL,SIGNAL, such as 10s,USR1";
	const char *comma = strchr(value, ',');
	char interval[64];
	char shown[QUOTE_SIZE(64)], part[QUOTE_SIZE(32)];
	int sig;

	QUOTED(value, shown);
	if (comma == NULL || (size_t)(comma - value) >= sizeof interval) {
		usage_error("invalid --every %s: %s", shown, use);
		return -EINVAL;
	}
	memcpy(interval, value, (size_t)(comma - value));
	interval[comma - value] = '\0';
	if (duration_parse(interval, &options->every) < 0 ||
	    options->every == DURATION_NONE) {
		usage_error("invalid --every %s: %s is not an interval; %s", shown,
			    QUOTED(interval, part), use);
		return -EINVAL;
	}
	sig = signal_parse(comma + 1);
	if (sig <= 0) {
		usage_error("invalid --every %s: %s is not a signal; %s", shown,
			    QUOTED(comma + 1, part), use);
		return -EINVAL;
	}
	options->every_signal = sig;
	return 0;
}

static int parse_duration_value(const char *text, const char *what, uint64_t *nanoseconds);

/* "10s" or "10s,x2": the first delay, and the factor of each next one. */
static int parse_retry_delay(const char *value, struct options *options)
{
	static const char use[] = "use DURATION or DURATION,xFACTOR, such as 10s,x2";
	const char *comma = strchr(value, ',');
	char delay[64], shown[QUOTE_SIZE(64)];
	char *end;

	QUOTED(value, shown);
	if ((comma ? (size_t)(comma - value) : strlen(value)) >= sizeof delay) {
		usage_error("invalid --retry-delay %s: %s", shown, use);
		return -EINVAL;
	}
	snprintf(delay, sizeof delay, "%.*s", comma ? (int)(comma - value) : 63, value);
	if (duration_parse_delay(delay, &options->retry_delay) < 0) {
		usage_error("invalid --retry-delay %s: %s", shown, use);
		return -EINVAL;
	}
	options->retry_factor = 1;
	if (comma == NULL)
		return 0;
	errno = 0;
	options->retry_factor = comma[1] == 'x' ? strtod(comma + 2, &end) : -1;
	if (comma[1] != 'x' || end == comma + 2 || *end != '\0' || errno != 0 ||
	    !(options->retry_factor >= 1 && options->retry_factor <= 1000)) {
		usage_error("invalid --retry-delay %s: FACTOR is a number from 1 to 1000 "
			    "after an x; %s", shown, use);
		return -EINVAL;
	}
	return 0;
}

/* A DURATION operand or option value.  For GNU's own (DURATION, -k) GNU's
 * line and nothing more, as a drop-in must print it (--help says what a
 * duration looks like); altimer's own options add which one it was and
 * what a duration looks like, where GNU has no line to match. */
static int parse_duration_value(const char *text, const char *what, uint64_t *nanoseconds)
{
	char shown[QUOTE_SIZE(64)];

	if (duration_parse(text, nanoseconds) == 0)
		return 0;
	if (what == NULL)
		usage_error("invalid time interval %s", QUOTED(text, shown));
	else
		usage_error("invalid time interval %s (%s: a number with an optional unit, "
			    "such as 10, 1.5s, 500ms, 2m or 1h30m)", QUOTED(text, shown), what);
	return -EINVAL;
}

/* --help and --version: a failed write is an error, as GNU's close_stdout
 * makes it (`altimer --help >/dev/full`). */
static int finish_output(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return OPTIONS_DONE;
	if (errno != 0)
		diag_errno(errno, "write error");
	else
		diag("write error");
	return -EIO;
}

static int apply_option(int key, const char *value, struct options *options)
{
	char shown[QUOTE_SIZE(64)];
	int sig;

	switch (key) {
	case KEY_FOREGROUND:
		options->foreground = true;
		return 0;
	case KEY_PRESERVE_STATUS:
		options->preserve_status = true;
		return 0;
	case KEY_VERBOSE:
		/* -vv and -v -v: a level, saturating far above any in use. */
		if (options->verbose < 9)
			options->verbose++;
		return 0;
	case KEY_GROUP_ONLY:
		options->contain = false;
		options->contain_mode = CONTAIN_GROUP;
		return 0;
	case KEY_CONTAIN:
		if (strcmp(value, "auto") == 0)
			options->contain_mode = CONTAIN_AUTO;
		else if (strcmp(value, "cgroup") == 0)
			options->contain_mode = CONTAIN_CGROUP;
		else if (strcmp(value, "tree") == 0)
			options->contain_mode = CONTAIN_TREE;
		else if (strcmp(value, "group") == 0)
			options->contain_mode = CONTAIN_GROUP;
		else {
			QUOTED(value, shown);
			usage_error("invalid --contain %s: use auto, cgroup, tree or group", shown);
			return -EINVAL;
		}
		options->contain = options->contain_mode != CONTAIN_GROUP;
		return 0;
	case KEY_NOTIFY:
		options->notify = true;
		return 0;
	case KEY_KEEPALIVE:
		return parse_duration_value(value, "--keepalive", &options->keepalive);
	case KEY_NO_LEFTOVERS:
		options->kill_leftovers = true;
		return 0;
	case KEY_KILL_AFTER:
		if (parse_duration_value(value, NULL, &options->kill_after) < 0)
			return -EINVAL;
		/* 0 means no KILL, as in GNU; a value too large for the clock
		 * is a KILL that no timer brings. */
		options->kill_after_never = options->kill_after == DURATION_NONE &&
					    strtod(value, NULL) != 0;
		return 0;
	case KEY_SIGNAL:
		sig = signal_parse(value);
		if (sig < 0) {
			/* GNU's operand2sig line; --help says what a signal is. */
			usage_error("%s: invalid signal", QUOTED(value, shown));
			return -EINVAL;
		}
		options->timeout_signal = sig;
		options->signal_given = true;
		return 0;
	case KEY_LADDER:
		return parse_ladder(value, options);
	case KEY_EVERY:
		return parse_every(value, options);
	case KEY_REPORT:
		if (*value == '\0') {
			usage_error("invalid --report '': name a file, or - for "
				    "standard error");
			return -EINVAL;
		}
		free(options->report);
		options->report = strdup(value);
		return options->report ? 0 : -ENOMEM;
	case KEY_PTY:
		if (strcmp(value, "auto") == 0)
			options->pty = RELAY_PTY_AUTO;
		else if (strcmp(value, "always") == 0)
			options->pty = RELAY_PTY_ALWAYS;
		else if (strcmp(value, "never") == 0)
			options->pty = RELAY_PTY_NEVER;
		else {
			usage_error("invalid --pty %s: use auto, always or never",
				    QUOTED(value, shown));
			return -EINVAL;
		}
		return 0;
	case KEY_CLOCK:
		if (strcmp(value, "awake") == 0 || strcmp(value, "boot") == 0) {
			options->boot_clock = value[0] == 'b';
			return 0;
		}
		usage_error("invalid --clock %s: use awake or boot", QUOTED(value, shown));
		return -EINVAL;
	case KEY_ON_TIMEOUT:
		if (*value == '\0') {
			usage_error("invalid --on-timeout '': give a shell command");
			return -EINVAL;
		}
		free(options->on_timeout);
		options->on_timeout = strdup(value);
		return options->on_timeout ? 0 : -ENOMEM;
	case KEY_ON_TIMEOUT_LIMIT:
		if (parse_duration_value(value, "--on-timeout-limit",
					 &options->on_timeout_limit) < 0)
			return -EINVAL;
		/* No "never": the hook must not keep altimer from ending. */
		if (options->on_timeout_limit == DURATION_NONE) {
			usage_error("invalid --on-timeout-limit %s: it needs a positive "
				    "duration, such as 30s or 2m", QUOTED(value, shown));
			return -EINVAL;
		}
		return 0;
	case KEY_HEARTBEAT:
		if (parse_duration_value(value, "--heartbeat", &options->heartbeat) < 0)
			return -EINVAL;
		/* 0 and inf would be no heartbeat at all: say so, not ignore it. */
		if (options->heartbeat == DURATION_NONE) {
			usage_error("invalid --heartbeat %s: it needs a finite interval above "
				    "0, such as 30s or 5m", QUOTED(value, shown));
			return -EINVAL;
		}
		return 0;
	case KEY_RETRY: {
		char *end;
		unsigned long count;
		errno = 0;
		count = strtoul(value, &end, 10);
		if (*value < '0' || *value > '9' || *end != '\0' || errno != 0 || count > 1000) {
			usage_error("invalid --retry %s: give how many more attempts, "
				    "0 to 1000, such as 3", QUOTED(value, shown));
			return -EINVAL;
		}
		options->retry = (unsigned)count;
		return 0;
	}
	case KEY_RETRY_DELAY:
		return parse_retry_delay(value, options);
	case KEY_RETRY_ON:
		if (strcmp(value, "timeout") != 0 && strcmp(value, "failure") != 0) {
			usage_error("invalid --retry-on %s: use timeout or failure",
				    QUOTED(value, shown));
			return -EINVAL;
		}
		options->retry_on_failure = value[0] == 'f';
		return 0;
	case KEY_BUDGET:
		return parse_duration_value(value, "--budget", &options->budget);
	case KEY_HELP:
		print_help();
		return finish_output();
	case KEY_VERSION:
		print_version();
		return finish_output();
	}
	return -EINVAL;
}

static int popt_error(int error, const char *word);

/* popt matches long names exactly.  A name it does not know (nor any
 * alias) may abbreviate one of ours, as getopt_long allows: that option,
 * spelled out, goes back to popt to be read in the word's place; its value
 * is then the rest of the word after "=", or else the next word. */
static int expand_abbreviation(poptContext context, const char *word)
{
	const char *equals = strchr(word, '=');
	const struct poptOption *option = find_long(word);
	char *full;
	int r;

	if (option == NULL)
		return -EINVAL;
	if (equals && !takes_argument(option)) {
		usage_error("option '--%s' doesn't allow an argument", option->longName);
		return -EINVAL;
	}
	if (asprintf(&full, "--%s%s", option->longName, equals ? equals : "") < 0)
		return -ENOMEM;
	r = poptStuffArgs(context, (const char *[]){ full, NULL });
	free(full);
	if (r == 0)
		return 0;
	/* Aliases nested too deep for popt's stack leave no room for it. */
	return popt_error(r, word);
}

/* The letter of the short-option word "-vx" that popt stopped at: the
 * first that is no option of ours, else the last, an option still waiting
 * for its value. */
static char short_culprit(const char *word)
{
	const char *c = word + 1;

	for (; c[1] != '\0'; c++) {
		const struct poptOption *option = find_short(*c);
		if (option == NULL || takes_argument(option))
			break;
	}
	return *c;
}

/* popt's error ERROR at WORD, in glibc's words where getopt has the same
 * error, else in popt's. */
static int popt_error(int error, const char *word)
{
	const struct poptOption *option;
	size_t count;

	if (error == POPT_ERROR_MALLOC)
		return -ENOMEM;
	if (word != NULL && word[0] == '-' && word[1] != '-' && word[1] != '\0' &&
	    (error == POPT_ERROR_BADOPT || error == POPT_ERROR_UNWANTEDARG ||
	     error == POPT_ERROR_NOARG)) {
		if (error == POPT_ERROR_NOARG)
			usage_error("option requires an argument -- '%c'", short_culprit(word));
		else
			usage_error("invalid option -- '%c'", short_culprit(word));
		return -EINVAL;
	}
	if (word != NULL && word[0] == '-' && word[1] == '-' &&
	    (error == POPT_ERROR_NOARG || error == POPT_ERROR_UNWANTEDARG) &&
	    (option = resolve_long(word + 2, strcspn(word + 2, "="), &count)) != NULL) {
		if (error == POPT_ERROR_NOARG)
			usage_error("option '--%s' requires an argument", option->longName);
		else
			usage_error("option '--%s' doesn't allow an argument", option->longName);
		return -EINVAL;
	}
	/* An alias's own words, which getopt never sees. */
	usage_error("%s: %s", word ? word : "", poptStrerror(error));
	return -EINVAL;
}

/* popt takes "-k=5" as "5", skipping the "="; getopt, and so GNU, reads
 * "=5" (an invalid interval).  WORD is the word popt read VALUE from. */
static const char *getopt_value(int key, const char *word, const char *value)
{
	const struct poptOption *option = find_short((char)key);
	size_t word_len = strlen(word), value_len = strlen(value);

	if (option != NULL && option->val == key && word[0] == '-' && word[1] != '-' &&
	    word_len >= value_len + 3 && word[word_len - value_len - 1] == '=' &&
	    word[word_len - value_len - 2] == option->shortName &&
	    strcmp(word + word_len - value_len, value) == 0)
		return word + word_len - value_len - 1;
	return value;
}

/* The options, read by popt in order up to the first operand.  Returns
 * OPTIONS_RUN when they are all read, or what options_parse returns. */
static int read_options(poptContext context, struct options *options)
{
	for (;;) {
		int key = poptGetNextOpt(context), r;
		const char *word = poptBadOption(context, 0);

		if (key == -1)
			return OPTIONS_RUN;
		if (key > 0) {
			char *value = poptGetOptArg(context);

			r = apply_option(key, value ? getopt_value(key, word, value) : NULL, options);
			free(value);
		} else if (key == POPT_ERROR_BADOPT && word != NULL && word[0] == '-' &&
			   word[1] == '-')
			r = expand_abbreviation(context, word);
		else
			r = popt_error(key, word);
		if (r != OPTIONS_RUN)
			return r;
	}
}

/* COMMAND's argv, from the operands after DURATION: copied, as popt's
 * go with its context. */
static int take_command(const char *const *operands, struct options *options)
{
	size_t count = 0;

	while (operands[count] != NULL)
		count++;
	options->command = calloc(count + 1, sizeof *options->command);
	if (options->command == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++)
		if ((options->command[i] = strdup(operands[i])) == NULL)
			return -ENOMEM;
	return 0;
}

int options_parse(int argc, char **argv, struct options *options)
{
	static const char *const no_operands[] = { NULL };
	const char *const *operands;
	poptContext context = NULL;
	int result;
	char shown[QUOTE_SIZE(64)];

	*options = (struct options){
		.duration = DURATION_NONE,
		.kill_after = DURATION_NONE,
		.keepalive = DURATION_NONE,
		.every = DURATION_NONE,
		.heartbeat = DURATION_NONE,
		.retry_factor = 1,
		.budget = DURATION_NONE,
		.on_timeout_limit = 60 * UINT64_C(1000000000),
		.timeout_signal = SIGTERM,
		.contain = true,
	};

	/* Aliases are the user's, under altimer's own name whatever the
	 * program was run as (a "timeout" symlink reads them too). */
	if (argc > 0)
		context = poptGetContext(PACKAGE_TARNAME, argc, (const char **)argv,
					 option_table, POPT_CONTEXT_POSIXMEHARDER);
	if (argc > 0 && context == NULL) {
		result = -ENOMEM;
		goto out;
	}
	if (context != NULL) {
		/* A file popt cannot read leaves its aliases out: user
		 * defaults must not keep the command from running. */
		(void)poptReadDefaultConfig(context, 0);
		result = read_options(context, options);
		if (result != OPTIONS_RUN)
			goto out;
	}
	operands = context ? poptGetArgs(context) : NULL;
	if (operands == NULL)
		operands = no_operands;

	if (options->ladder_steps > 0 &&
	    (options->signal_given || options->kill_after != DURATION_NONE ||
	     options->kill_after_never)) {
		usage_error("--ladder replaces --signal and --kill-after: give "
			    "either --ladder or those");
		result = -EINVAL;
		goto out;
	}
	if (options->ladder_steps == 0) {
		/* GNU's -s/-k is the two-step ladder. */
		options->ladder[options->ladder_steps++] =
			(struct ladder_step){ .signal = options->timeout_signal };
		if (options->kill_after != DURATION_NONE || options->kill_after_never)
			options->ladder[options->ladder_steps++] = (struct ladder_step){
				.signal = SIGKILL, .delay = options->kill_after };
	}
	options->timeout_signal = options->ladder[0].signal;

	/* GNU counts the operands before reading DURATION, and then prints
	 * only its "Try" line; altimer says what is missing first. */
	if (operands[0] == NULL) {
		usage_error("missing operand");
		result = -EINVAL;
		goto out;
	}
	if (operands[1] == NULL) {
		usage_error("missing operand after %s", QUOTED(operands[0], shown));
		result = -EINVAL;
		goto out;
	}
	result = parse_duration_value(operands[0], NULL, &options->duration);
	if (result < 0)
		goto out;
	result = take_command(operands + 1, options);

out:
	if (context != NULL)
		poptFreeContext(context);
	if (result != OPTIONS_RUN)
		options_free(options);
	return result;
}

void options_free(struct options *options)
{
	free(options->report);
	options->report = NULL;
	free(options->on_timeout);
	options->on_timeout = NULL;
	if (options->command != NULL)
		for (char **word = options->command; *word != NULL; word++)
			free(*word);
	free(options->command);
	options->command = NULL;
}
