/* report.c - what happened, in numbers: the --report JSON object.
 *
 * While COMMAND runs the loop notes each signal it sends; when altimer
 * ends, on whatever path, main() composes one JSON object from the run and
 * saves it in one piece: a single write to standard error, or a file
 * renamed into place so a reader never sees half a report. */
#include "config.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "duration.h"
#include "hook.h"
#include "signames.h"
#include "snapshot.h"
#include "util.h"

uint64_t report_clock(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return timespec_to_ns(now);
}

/* The directory a file named path lives in, in buf. */
static const char *directory_of(const char *path, char *buf, size_t size)
{
	snprintf(buf, size, "%s", path);
	return dirname(buf);
}

int report_prepare(struct report *report, const char *path)
{
	char buf[4096];
	struct stat st;

	report->spare_fd = -1;
	if (strcmp(path, "-") == 0)
		return 0;
	if (strlen(path) >= sizeof buf)
		return -ENAMETOOLONG;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return -EISDIR;
	/* The report is created next to path and renamed over it. */
	if (access(directory_of(path, buf, sizeof buf), W_OK | X_OK) < 0)
		return -errno;
	/* Whatever the command or the tree use up, this one stays free. */
	report->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return report->spare_fd < 0 ? -errno : 0;
}

void report_signal(struct report *report, int sig, const char *target, pid_t pid,
		   int processes, const char *cause, int step)
{
	if (!report->enabled)
		return;
	if (report->count == report->capacity) {
		size_t capacity = report->capacity ? report->capacity * 2 : 16;
		struct report_signal *grown;

		if (report->count >= REPORT_SIGNALS_MAX ||
		    (grown = realloc(report->signals, capacity * sizeof *grown)) == NULL) {
			report->omitted++;
			return;
		}
		report->signals = grown;
		report->capacity = capacity;
	}
	report->signals[report->count++] = (struct report_signal){
		.at = report_clock(),
		.signal = sig,
		.target = target,
		.pid = pid,
		.processes = processes,
		.cause = cause,
		.step = step,
	};
}

/* Length of the well-formed UTF-8 sequence at s (at most len bytes), or 0
 * when it is not one: overlong forms, surrogates and code points past
 * U+10FFFF are refused as RFC 3629 says. */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
	size_t need;
	uint32_t code;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		code = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		code = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		code = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		code = (code << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && code < 0x800) || (need == 4 && code < 0x10000) ||
	    (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff)
		return 0;
	return need;
}

void report_json_string(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;

	putc('"', out);
	while (p < end) {
		size_t n = utf8_sequence(p, (size_t)(end - p));

		if (n == 0) {
			fputs("\\ufffd", out);
			p++;
			continue;
		}
		if (n > 1) {
			fwrite(p, 1, n, out);
			p += n;
			continue;
		}
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				putc(*p, out);
		}
		p++;
	}
	putc('"', out);
}

int report_save(struct report *report, const char *path, const char *text, size_t len)
{
	char dir[4096], *temp = NULL;
	mode_t mask;
	int fd, r;

	close_quietly(report->spare_fd);
	report->spare_fd = -1;
	if (strcmp(path, "-") == 0)
		return write_all(STDERR_FILENO, text, len);
	if (strlen(path) >= sizeof dir)
		return -ENAMETOOLONG;
	if (asprintf(&temp, "%s/.altimer-report-XXXXXX",
		     directory_of(path, dir, sizeof dir)) < 0)
		return -ENOMEM;
	fd = mkostemp(temp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		free(temp);
		return r;
	}
	/* As a plain create would: 0666 less the umask, not mkstemp's 0600. */
	mask = umask(0);
	umask(mask);
	r = fchmod(fd, 0666 & ~mask) < 0 ? -errno : 0;
	if (r == 0)
		r = write_all(fd, text, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(temp, path) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(temp);
	free(temp);
	return r;
}

void report_free(struct report *report)
{
	free(report->signals);
	report->signals = NULL;
	report->count = report->capacity = 0;
}

/* Seconds, exactly, from nanoseconds; null for "none". */
static void json_seconds(FILE *out, uint64_t nanoseconds)
{
	if (nanoseconds == DURATION_NONE)
		fputs("null", out);
	else
		fprintf(out, "%" PRIu64 ".%09" PRIu64, nanoseconds / 1000000000u,
			nanoseconds % 1000000000u);
}

static void json_signal(FILE *out, int sig)
{
	char name[SIGNAME_MAX];

	if (signal_name(sig, name) == NULL)
		snprintf(name, sizeof name, "%d", sig);
	report_json_string(out, name, strlen(name));
}

static void json_text(FILE *out, const char *text)
{
	if (text == NULL)
		fputs("null", out);
	else
		report_json_string(out, text, strlen(text));
}

static uint64_t since(uint64_t from, uint64_t to)
{
	return to > from ? to - from : 0;
}

static uint64_t timeval_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

static void json_signals(FILE *out, const struct report *report)
{
	fputs(",\n  \"signals\": [", out);
	for (size_t i = 0; i < report->count; i++) {
		const struct report_signal *sent = &report->signals[i];

		fputs(i ? ",\n    {\"at\": " : "\n    {\"at\": ", out);
		json_seconds(out, since(report->spawned, sent->at));
		fputs(", \"signal\": ", out);
		json_signal(out, sent->signal);
		fprintf(out, ", \"number\": %d, \"target\": ", sent->signal);
		json_text(out, sent->target);
		fprintf(out, ", \"pid\": %ld", (long)sent->pid);
		if (sent->processes >= 0)
			fprintf(out, ", \"processes\": %d", sent->processes);
		fputs(", \"cause\": ", out);
		json_text(out, sent->cause);
		if (sent->step >= 0)
			fprintf(out, ", \"step\": %d", sent->step);
		putc('}', out);
	}
	fprintf(out, "%s],\n  \"signals_omitted\": %" PRIu64, report->count ? "\n  " : "",
		report->omitted);
}

static void json_settings(FILE *out, const struct options *options)
{
	fputs(",\n  \"deadline\": ", out);
	json_seconds(out, options->duration);
	fputs(",\n  \"keepalive\": ", out);
	json_seconds(out, options->keepalive);
	fputs(",\n  \"ladder\": [", out);
	for (int i = 0; i < options->ladder_steps; i++) {
		fputs(i ? ", {\"signal\": " : "{\"signal\": ", out);
		json_signal(out, options->ladder[i].signal);
		fputs(", \"delay\": ", out);
		json_seconds(out, options->ladder[i].delay);
		putc('}', out);
	}
	fputs("],\n  \"every\": ", out);
	if (options->every == DURATION_NONE) {
		fputs("null", out);
	} else {
		fputs("{\"interval\": ", out);
		json_seconds(out, options->every);
		fputs(", \"signal\": ", out);
		json_signal(out, options->every_signal);
		putc('}', out);
	}
}

/* The tree when a limit fired, in forest order, and the tails of
 * COMMAND's output. */
static void json_snapshot(FILE *out, const struct snapshot *snapshot, uint64_t spawned)
{
	fputs(",\n  \"snapshot\": ", out);
	if (snapshot == NULL || !snapshot->taken) {
		fputs("null,\n  \"snapshot_omitted\": 0", out);
		return;
	}
	putc('[', out);
	for (size_t i = 0; i < snapshot->count; i++) {
		const struct snapshot_process *process = &snapshot->processes[i];

		fprintf(out, "%s{\"pid\": %d, \"ppid\": %d, \"pgid\": %d, \"state\": \"%c\", "
			"\"depth\": %d, \"comm\": ", i ? ",\n    " : "\n    ", (int)process->pid,
			(int)process->ppid, (int)process->pgid, process->state, process->depth);
		json_text(out, process->comm);
		fputs(", \"age\": ", out);
		json_seconds(out, process->age);
		fputs(", \"user_cpu\": ", out);
		json_seconds(out, process->user_cpu);
		fputs(", \"system_cpu\": ", out);
		json_seconds(out, process->system_cpu);
		fprintf(out, ", \"rss_kib\": %ld, \"threads\": %ld, \"wchan\": ",
			process->rss_kib, process->threads);
		json_text(out, process->wchan);
		fputs(", \"stack\": ", out);
		if (process->stack == NULL) {
			fputs("null", out);
		} else {
			putc('[', out);
			for (const char *frame = process->stack; *frame; ) {
				const char *end = strchrnul(frame, '\n');
				if (frame != process->stack)
					fputs(", ", out);
				report_json_string(out, frame, (size_t)(end - frame));
				frame = *end ? end + 1 : end;
			}
			putc(']', out);
		}
		fputs(", \"cmdline\": ", out);
		if (process->cmdline)
			report_json_string(out, process->cmdline, process->cmdline_len);
		else
			fputs("null", out);
		for (int stream = 0; process->pid == snapshot->command && stream < 2; stream++) {
			if (snapshot->tail[stream] == NULL)
				continue;
			fputs(stream ? ", \"stderr_tail\": " : ", \"stdout_tail\": ", out);
			report_json_string(out, snapshot->tail[stream], snapshot->tail_len[stream]);
		}
		putc('}', out);
	}
	fprintf(out, "%s],\n  \"snapshot_omitted\": %zu,\n  \"snapshot_reason\": ",
		snapshot->count ? "\n  " : "", snapshot->omitted);
	json_text(out, snapshot->reason);
	fputs(",\n  \"snapshot_at\": ", out);
	json_seconds(out, since(spawned, snapshot->at));
	fputs(",\n  \"snapshot_took\": ", out);
	json_seconds(out, snapshot->took);
}

/* --on-timeout: what it was, how it ended. */
static void json_hook(FILE *out, const struct options *options, const struct hook *hook)
{
	fputs(",\n  \"on_timeout\": ", out);
	if (options->on_timeout == NULL || hook == NULL) {
		fputs("null", out);
		return;
	}
	fputs("{\"command\": ", out);
	json_text(out, options->on_timeout);
	fputs(", \"limit\": ", out);
	json_seconds(out, options->on_timeout_limit);
	fprintf(out, ", \"ran\": %s, \"exit_code\": ", hook->ran ? "true" : "false");
	if (hook->ran && !hook->error && hook->exit_code == CLD_EXITED)
		fprintf(out, "%d", hook->exit_status);
	else
		fputs("null", out);
	fputs(", \"signal\": ", out);
	if (hook->ran && !hook->error && hook->exit_code && hook->exit_code != CLD_EXITED)
		json_signal(out, hook->exit_status);
	else
		fputs("null", out);
	fputs(", \"killed\": ", out);
	json_text(out, hook->stopped_by);
	fputs(", \"elapsed\": ", out);
	if (hook->ran && !hook->error)
		json_seconds(out, hook->elapsed);
	else
		fputs("null", out);
	fputs(", \"error\": ", out);
	json_text(out, hook->error ? strerror(hook->error) : NULL);
	putc('}', out);
}

char *report_compose(const struct report *report, const struct report_facts *facts,
		     size_t *len)
{
	const struct options *options = facts->options;
	bool reaped = facts->started && facts->reaped;
	char *text = NULL;
	FILE *out = open_memstream(&text, len);

	if (out == NULL)
		return NULL;
	fprintf(out, "{\n  \"version\": %d,\n  \"altimer\": \"%s\",\n  \"command\": [",
		REPORT_VERSION, PACKAGE_VERSION);
	for (char **arg = options->command; *arg; arg++) {
		if (arg != options->command)
			fputs(", ", out);
		report_json_string(out, *arg, strlen(*arg));
	}
	fputs("],\n  \"pid\": ", out);
	if (facts->started)
		fprintf(out, "%ld", (long)facts->pid);
	else
		fputs("null", out);
	fputs(",\n  \"reason\": ", out);
	json_text(out, facts->reason);
	fputs(",\n  \"error\": ", out);
	json_text(out, facts->error);

	fputs(",\n  \"exit_code\": ", out);
	if (reaped && facts->si_code == CLD_EXITED)
		fprintf(out, "%d", facts->status);
	else
		fputs("null", out);
	fputs(",\n  \"signal\": ", out);
	if (reaped && facts->si_code != CLD_EXITED)
		json_signal(out, facts->status);
	else
		fputs("null", out);
	fprintf(out, ",\n  \"core_dumped\": %s", reaped && facts->si_code == CLD_DUMPED
							? "true" : "false");
	fprintf(out, ",\n  \"timed_out\": %s", facts->timed_out ? "true" : "false");
	fprintf(out, ",\n  \"exit_status\": %d,\n  \"reraised\": %s", facts->exit_status,
		facts->reraised ? "true" : "false");
	fputs(",\n  \"elapsed\": ", out);
	if (reaped)
		json_seconds(out, since(report->spawned, report->ended));
	else
		fputs("null", out);

	json_settings(out, options);
	json_signals(out, report);

	fprintf(out, ",\n  \"timers\": {\"deadline\": %" PRIu64 ", \"keepalive\": %" PRIu64
		", \"every\": %" PRIu64 ", \"ladder\": [",
		facts->deadline_expirations, facts->keepalive_expirations,
		facts->every_expirations);
	for (int step = 1; step < options->ladder_steps; step++)
		fprintf(out, "%s%" PRIu64, step > 1 ? ", " : "",
			facts->step_expirations ? facts->step_expirations[step] : 0);
	fprintf(out, "]},\n  \"notes_sent\": %" PRIu64, facts->notes_sent);

	fputs(",\n  \"usage\": ", out);
	if (reaped) {
		fputs("{\"user_cpu\": ", out);
		json_seconds(out, timeval_ns(facts->usage.ru_utime));
		fputs(", \"system_cpu\": ", out);
		json_seconds(out, timeval_ns(facts->usage.ru_stime));
		fprintf(out, ", \"max_rss_kib\": %ld}", facts->usage.ru_maxrss);
	} else {
		fputs("null", out);
	}
	fprintf(out, ",\n  \"notify\": {\"ready\": %s, \"status\": ",
		facts->notify_ready ? "true" : "false");
	json_text(out, facts->notify_status);
	putc('}', out);
	json_snapshot(out, facts->snapshot, report->spawned);
	json_hook(out, options, facts->hook);
	fputs("\n}\n", out);
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
