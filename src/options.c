/* options.c - the command line: one option table for parsing and --help.
 *
 * popt parses the options, but only those before the first operand: the
 * DURATION and everything after it belong to COMMAND (`altimer 5 ls -l`).
 * A short scan finds that boundary first, which also lets altimer accept
 * unambiguous abbreviations of long options (`--sig=KILL`) as GNU's
 * getopt_long does. */
#include "config.h"
#include "options.h"

#include <errno.h>
#include <popt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "signames.h"

enum option_key {
	KEY_KEEPALIVE = 'i',
	KEY_FOREGROUND = 'f',
	KEY_KILL_AFTER = 'k',
	KEY_PRESERVE_STATUS = 'p',
	KEY_SIGNAL = 's',
	KEY_VERBOSE = 'v',
	KEY_GROUP_ONLY = 256,
	KEY_NO_LEFTOVERS,
	KEY_NOTIFY,
	KEY_LADDER,
	KEY_EVERY,
	KEY_REPORT,
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
	  "report each signal sent to COMMAND on standard error", NULL },
	{ "group-only", '\0', POPT_ARG_NONE, NULL, KEY_GROUP_ONLY,
	  "at a timeout signal only COMMAND's process group, as GNU timeout "
	  "does, not processes of its tree that left the group", NULL },
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
	{ "help", '\0', POPT_ARG_NONE, NULL, KEY_HELP,
	  "show this help and exit", NULL },
	{ "version", '\0', POPT_ARG_NONE, NULL, KEY_VERSION,
	  "show the version and exit", NULL },
	POPT_TABLEEND
};

#define OPTION_COUNT (sizeof option_table / sizeof option_table[0] - 1)

static const char usage_line[] =
	"Usage: altimer [OPTION]... DURATION COMMAND [ARG]...\n";

/* One line on stderr: "altimer: <what is wrong> (see 'altimer --help')". */
static void __attribute__((format(printf, 1, 2))) error_line(const char *fmt, ...)
{
	va_list args;

	fputs("altimer: ", stderr);
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputs(" (see 'altimer --help')\n", stderr);
}

static bool takes_argument(const struct poptOption *option)
{
	return (option->argInfo & POPT_ARG_MASK) != POPT_ARG_NONE;
}

static const struct poptOption *find_short(char c)
{
	for (size_t i = 0; i < OPTION_COUNT; i++)
		if (option_table[i].shortName == c && c != '\0')
			return &option_table[i];
	return NULL;
}

/* An exact long name, or the only one it abbreviates. */
static const struct poptOption *find_long(const char *name, size_t len)
{
	const struct poptOption *found = NULL;
	int matches = 0;

	for (size_t i = 0; i < OPTION_COUNT; i++) {
		const char *candidate = option_table[i].longName;
		if (strncmp(candidate, name, len) != 0)
			continue;
		if (candidate[len] == '\0')
			return &option_table[i];
		found = &option_table[i];
		matches++;
	}
	if (matches > 1) {
		char shown[64];
		snprintf(shown, sizeof shown, "%.*s", (int)len, name);
		error_line("option '--%s' is ambiguous", shown);
		return NULL;
	}
	if (found == NULL) {
		char shown[64];
		snprintf(shown, sizeof shown, "%.*s", (int)len, name);
		error_line("unknown option '--%s'", shown);
	}
	return found;
}

/* Find where the operands start, expanding long-option abbreviations in
 * place.  Returns the index of DURATION (argc when missing), or -EINVAL. */
static int find_operands(int argc, char **argv, char **expanded, int *popt_argc)
{
	int i = 1;

	*popt_argc = 1;
	while (i < argc) {
		char *arg = argv[i];

		if (strcmp(arg, "--") == 0) {
			*popt_argc = i;
			return i + 1;
		}
		if (arg[0] != '-' || arg[1] == '\0')
			break;
		if (arg[1] == '-') {
			const char *name = arg + 2;
			const char *equals = strchr(name, '=');
			size_t len = equals ? (size_t)(equals - name) : strlen(name);
			const struct poptOption *option = find_long(name, len);

			if (option == NULL)
				return -EINVAL;
			if (equals && !takes_argument(option)) {
				error_line("option '--%s' takes no argument", option->longName);
				return -EINVAL;
			}
			if (asprintf(&expanded[i], "--%s%s", option->longName,
				     equals ? equals : "") < 0)
				return -ENOMEM;
			argv[i] = expanded[i];
			if (takes_argument(option) && !equals) {
				if (++i >= argc) {
					error_line("option '--%s' needs an argument", option->longName);
					return -EINVAL;
				}
			}
		} else {
			for (const char *c = arg + 1; *c != '\0'; c++) {
				const struct poptOption *option = find_short(*c);
				char shown[2] = { *c, '\0' };

				if (option == NULL) {
					error_line("unknown option '-%s'", shown);
					return -EINVAL;
				}
				if (!takes_argument(option))
					continue;
				if (c[1] == '\0' && ++i >= argc) {
					error_line("option '-%s' needs an argument", shown);
					return -EINVAL;
				}
				break;
			}
		}
		i++;
	}
	*popt_argc = i;
	return i;
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
	      "\nExit status:\n"
	      "  124  COMMAND timed out and --preserve-status was not given\n"
	      "  125  altimer itself failed (bad option, duration or signal, no resources)\n"
	      "  126  COMMAND was found but could not be run\n"
	      "  127  COMMAND was not found\n"
	      "  137  COMMAND (or altimer) was sent KILL\n"
	      "  otherwise COMMAND's own status; if COMMAND died of a signal, altimer\n"
	      "  dies of the same signal (without a core dump)\n"
	      "\nThe environment variable ALTIMER_NO_PIDFD=1 makes altimer use kill(2)\n"
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
	char *copy = strdup(value);
	char *saveptr = NULL, *token;
	int steps = 0, r = -EINVAL;
	bool want_signal = true;

	if (copy == NULL)
		return -ENOMEM;
	/* strtok would skip empty fields; "INT,,KILL" must be an error. */
	for (token = copy; token != NULL; token = saveptr) {
		saveptr = strchr(token, ',');
		if (saveptr)
			*saveptr++ = '\0';
		if (want_signal) {
			int sig = signal_parse(token);
			if (sig <= 0) {
				error_line("invalid --ladder '%s': '%s' is not a signal; use "
					   "SIGNAL[,DELAY,SIGNAL]..., such as INT,5s,TERM,5s,KILL",
					   value, token);
				goto out;
			}
			options->ladder[steps++].signal = sig;
		} else if (steps == LADDER_MAX) {
			/* The delay would belong to one signal too many. */
			error_line("invalid --ladder '%s': at most %d signals", value,
				   LADDER_MAX);
			goto out;
		} else if (duration_parse_delay(token, &options->ladder[steps].delay) < 0) {
			error_line("invalid --ladder '%s': '%s' is not a delay; use "
				   "SIGNAL[,DELAY,SIGNAL]..., such as INT,5s,TERM,5s,KILL",
				   value, token);
			goto out;
		}
		want_signal = !want_signal;
	}
	if (want_signal) {
		error_line("invalid --ladder '%s': it must end with a signal, "
			   "such as INT,5s,TERM,5s,KILL", value);
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
	const char *comma = strchr(value, ',');
	char interval[64];
	int sig;

	if (comma == NULL || (size_t)(comma - value) >= sizeof interval) {
		error_line("invalid --every '%s': use INTERVAL,SIGNAL, such as 10s,USR1",
			   value);
		return -EINVAL;
	}
	memcpy(interval, value, (size_t)(comma - value));
	interval[comma - value] = '\0';
	if (duration_parse(interval, &options->every) < 0 ||
	    options->every == DURATION_NONE) {
		error_line("invalid --every '%s': '%s' is not an interval; use "
			   "INTERVAL,SIGNAL, such as 10s,USR1", value, interval);
		return -EINVAL;
	}
	sig = signal_parse(comma + 1);
	if (sig <= 0) {
		error_line("invalid --every '%s': '%s' is not a signal; use "
			   "INTERVAL,SIGNAL, such as 10s,USR1", value, comma + 1);
		return -EINVAL;
	}
	options->every_signal = sig;
	return 0;
}

static int apply_option(int key, const char *value, struct options *options)
{
	int sig;

	switch (key) {
	case KEY_FOREGROUND:
		options->foreground = true;
		return 0;
	case KEY_PRESERVE_STATUS:
		options->preserve_status = true;
		return 0;
	case KEY_VERBOSE:
		options->verbose = true;
		return 0;
	case KEY_GROUP_ONLY:
		options->contain = false;
		return 0;
	case KEY_NOTIFY:
		options->notify = true;
		return 0;
	case KEY_KEEPALIVE:
		if (duration_parse(value, &options->keepalive) < 0) {
			error_line("invalid --keepalive duration '%s': use a number with an "
				   "optional unit, such as 30s, 10m or 1h", value);
			return -EINVAL;
		}
		return 0;
	case KEY_NO_LEFTOVERS:
		options->kill_leftovers = true;
		return 0;
	case KEY_KILL_AFTER:
		if (duration_parse(value, &options->kill_after) < 0) {
			error_line("invalid --kill-after duration '%s': use a number with an "
				   "optional unit, such as 10, 1.5s, 2m or 1h30m", value);
			return -EINVAL;
		}
		return 0;
	case KEY_SIGNAL:
		sig = signal_parse(value);
		if (sig < 0) {
			error_line("invalid signal '%s': use a name such as TERM, INT or "
				   "KILL, a number, or RTMIN+n", value);
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
			error_line("invalid --report '': name a file, or - for standard error");
			return -EINVAL;
		}
		free(options->report);
		options->report = strdup(value);
		return options->report ? 0 : -ENOMEM;
	case KEY_HELP:
		print_help();
		return OPTIONS_DONE;
	case KEY_VERSION:
		print_version();
		return OPTIONS_DONE;
	}
	return -EINVAL;
}

int options_parse(int argc, char **argv, struct options *options)
{
	char **expanded = calloc((size_t)argc + 1, sizeof *expanded);
	poptContext context = NULL;
	int operands, popt_argc, key, result = OPTIONS_RUN;

	*options = (struct options){
		.duration = DURATION_NONE,
		.kill_after = DURATION_NONE,
		.keepalive = DURATION_NONE,
		.every = DURATION_NONE,
		.timeout_signal = SIGTERM,
		.contain = true,
	};
	if (expanded == NULL)
		return -ENOMEM;

	operands = find_operands(argc, argv, expanded, &popt_argc);
	if (operands < 0) {
		result = operands;
		goto out;
	}

	context = poptGetContext("altimer", popt_argc, (const char **)argv,
				 option_table, POPT_CONTEXT_POSIXMEHARDER);
	if (context == NULL) {
		result = -ENOMEM;
		goto out;
	}
	while ((key = poptGetNextOpt(context)) > 0) {
		/* popt hands over the argument: ours to free. */
		char *value = poptGetOptArg(context);
		result = apply_option(key, value, options);
		free(value);
		if (result != OPTIONS_RUN)
			goto out;
	}
	if (key < -1) {
		error_line("%s: %s", poptBadOption(context, POPT_BADOPTION_NOALIAS),
			   poptStrerror(key));
		result = -EINVAL;
		goto out;
	}

	if (options->ladder_steps > 0 &&
	    (options->signal_given || options->kill_after != DURATION_NONE)) {
		error_line("--ladder replaces --signal and --kill-after: give either "
			   "--ladder or those");
		result = -EINVAL;
		goto out;
	}
	if (options->ladder_steps == 0) {
		/* GNU's -s/-k is the two-step ladder. */
		options->ladder[options->ladder_steps++] =
			(struct ladder_step){ .signal = options->timeout_signal };
		if (options->kill_after != DURATION_NONE)
			options->ladder[options->ladder_steps++] = (struct ladder_step){
				.signal = SIGKILL, .delay = options->kill_after };
	}
	options->timeout_signal = options->ladder[0].signal;

	if (operands >= argc) {
		error_line("missing DURATION and COMMAND; usage: altimer [OPTION]... "
			   "DURATION COMMAND [ARG]...");
		result = -EINVAL;
		goto out;
	}
	if (duration_parse(argv[operands], &options->duration) < 0) {
		error_line("invalid duration '%s': use a number with an optional unit, "
			   "such as 10, 1.5s, 2m, 500ms or 1h30m", argv[operands]);
		result = -EINVAL;
		goto out;
	}
	if (operands + 1 >= argc) {
		error_line("missing COMMAND after DURATION '%s'", argv[operands]);
		result = -EINVAL;
		goto out;
	}
	options->command = argv + operands + 1;

out:
	if (result != OPTIONS_RUN)
		options_free(options);
	if (context)
		poptFreeContext(context);
	/* Expanded spellings stay referenced only by argv before the operands,
	 * which nothing reads after parsing. */
	for (int i = 0; i < argc; i++)
		free(expanded[i]);
	free(expanded);
	return result;
}

void options_free(struct options *options)
{
	free(options->report);
	options->report = NULL;
}
