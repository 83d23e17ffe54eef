/* snapshot.c - what every process of the tree was doing when a limit fired.
 *
 * Everything comes from /proc, read once per process with no ptrace and no
 * signal: the process cannot tell it was looked at, and a stuck one cannot
 * make altimer wait (these files are answered by the kernel alone).  The
 * forest order is rebuilt from the parent pids, so the list reads as
 * `ps --forest` does whatever order the tree walk found the processes in. */
#include "config.h"
#include "snapshot.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include "diag.h"
#include "procfs.h"
#include "util.h"

/* A command line or a kernel stack longer than this is cut. */
#define SNAPSHOT_TEXT_MAX 4096

static uint64_t ticks_ns(unsigned long long ticks, long hz)
{
	return (uint64_t)(ticks / (unsigned long long)hz) * 1000000000u +
	       (uint64_t)(ticks % (unsigned long long)hz) * 1000000000u / (uint64_t)hz;
}

/* What /proc/PID/stat says, in the snapshot's units. */
static int read_stat(pid_t pid, struct report_process *process, uint64_t boot_now,
		     long hz, long page_kib)
{
	struct procfs_stat stat;
	int r = procfs_stat(pid, &stat);

	if (r < 0)
		return r;
	/* cut as the snapshot always has: its comm is shorter */
	snprintf(process->comm, sizeof process->comm, "%.*s", (int)sizeof process->comm - 1,
		 stat.comm);
	process->state = stat.state;
	process->pid = pid;
	process->ppid = stat.ppid;
	process->pgid = stat.pgid;
	process->user_cpu = ticks_ns(stat.user_time, hz);
	process->system_cpu = ticks_ns(stat.system_time, hz);
	process->threads = stat.threads;
	uint64_t started = ticks_ns(stat.start_time, hz);
	process->age = boot_now > started ? boot_now - started : 0;
	process->rss_kib = stat.rss_pages * page_kib;
	return 0;
}

/* The function a sleeping process waits in; "0" means it is not waiting. */
static char *read_wchan(pid_t pid)
{
	char buf[128];

	if (procfs_read_process(pid, "wchan", buf, sizeof buf) <= 0 || strcmp(buf, "0") == 0)
		return NULL;
	return strdup(buf);
}

/* The kernel stack, "[<0>] pipe_read+0x2f1/0x3f0" a line, without the
 * "[<0>] " (hidden addresses): root only, NULL elsewhere. */
static char *read_stack(pid_t pid)
{
	char buf[SNAPSHOT_TEXT_MAX], *out, *o;
	const char *line;

	if (procfs_read_process(pid, "stack", buf, sizeof buf) <= 0)
		return NULL;
	out = o = malloc(strlen(buf) + 1);
	if (out == NULL)
		return NULL;
	for (line = buf; *line; ) {
		const char *end = strchrnul(line, '\n');
		const char *frame = line;
		if (*frame == '[' && (frame = strstr(line, "] ")) != NULL && frame < end)
			frame += 2;
		else
			frame = line;
		memcpy(o, frame, (size_t)(end - frame));
		o += end - frame;
		if (*end == '\n')
			*o++ = '\n';
		line = *end ? end + 1 : end;
	}
	while (o > out && o[-1] == '\n')
		o--;
	*o = '\0';
	return out;
}

/* The kernel skips its scheduler's own frames for both wchan and the
 * stack, so a readable stack's first frame is the wchan: one file fewer
 * to read per process.  A running process waits on nothing. */
static char *wchan_of(pid_t pid, const struct report_process *process)
{
	if (process->state == 'R')
		return NULL;
	if (process->stack && *process->stack)
		return strndup(process->stack, strcspn(process->stack, "+\n"));
	return read_wchan(pid);
}

/* The arguments, NULs turned into spaces; NULL for a zombie or a kernel
 * thread, which have none. */
static char *read_cmdline(pid_t pid, size_t *len)
{
	char buf[SNAPSHOT_TEXT_MAX];
	ssize_t n = procfs_read_process(pid, "cmdline", buf, sizeof buf);
	char *text;

	while (n > 0 && buf[n - 1] == '\0')
		n--;
	if (n <= 0)
		return NULL;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	text = malloc((size_t)n + 1);
	if (text == NULL)
		return NULL;
	memcpy(text, buf, (size_t)n);
	text[n] = '\0';
	*len = (size_t)n;
	return text;
}

static bool listed(const struct report_process *read, size_t count, pid_t pid)
{
	for (size_t i = 0; i < count; i++)
		if (read[i].pid == pid)
			return true;
	return false;
}

/* Append read[i] and, depth first, every process whose parent it is. */
static void visit(struct report_snapshot *snapshot, struct report_process *read, size_t count,
		  bool *placed, size_t i, int depth)
{
	placed[i] = true;
	read[i].depth = depth;
	snapshot->processes[snapshot->count++] = read[i];
	for (size_t j = 0; j < count; j++)
		if (!placed[j] && read[j].ppid == read[i].pid)
			visit(snapshot, read, count, placed, j, depth + 1);
}

void snapshot_take(struct report_snapshot *snapshot, const pid_t *pids, size_t count,
		   pid_t command, const char *reason)
{
	long hz = sysconf(_SC_CLK_TCK), page_kib = sysconf(_SC_PAGESIZE) / 1024;
	uint64_t started = clock_ns(CLOCK_MONOTONIC);
	/* /proc's start times count from boot, suspended time included. */
	uint64_t boot_now = clock_ns(CLOCK_BOOTTIME);
	size_t wanted = count < SNAPSHOT_MAX ? count : SNAPSHOT_MAX, got = 0;
	struct report_process *read = calloc(wanted ? wanted : 1, sizeof *read);
	bool *placed = calloc(wanted ? wanted : 1, sizeof *placed);

	snapshot->taken = true;
	snapshot->reason = reason;
	snapshot->at = started;
	snapshot->command = command;
	snapshot->omitted = count - wanted;
	snapshot->processes = calloc(wanted ? wanted : 1, sizeof *snapshot->processes);
	if (hz <= 0)
		hz = 100;
	if (read == NULL || placed == NULL || snapshot->processes == NULL) {
		snapshot->omitted = count;
		goto out;
	}
	for (size_t i = 0; i < wanted; i++) {
		struct report_process *process = &read[got];

		if (read_stat(pids[i], process, boot_now, hz, page_kib) < 0) {
			snapshot->omitted++; /* gone since the tree was walked */
			continue;
		}
		process->stack = read_stack(pids[i]);
		process->wchan = wchan_of(pids[i], process);
		process->cmdline = read_cmdline(pids[i], &process->cmdline_len);
		got++;
	}
	/* Roots first (COMMAND, and orphans handed to altimer), each followed
	 * by its descendants. */
	for (size_t i = 0; i < got; i++)
		if (!placed[i] && !listed(read, got, read[i].ppid))
			visit(snapshot, read, got, placed, i, 0);
	/* A cycle cannot happen, but nothing read may be lost either. */
	for (size_t i = 0; i < got; i++)
		if (!placed[i])
			visit(snapshot, read, got, placed, i, 0);
out:
	free(read);
	free(placed);
	snapshot->took = clock_ns(CLOCK_MONOTONIC) - started;
}

void snapshot_totals(const pid_t *pids, size_t count, struct snapshot_totals *totals)
{
	long hz = sysconf(_SC_CLK_TCK), page_kib = sysconf(_SC_PAGESIZE) / 1024;
	uint64_t boot_now = clock_ns(CLOCK_BOOTTIME);
	struct report_process process;

	*totals = (struct snapshot_totals){ 0 };
	if (hz <= 0)
		hz = 100;
	for (size_t i = 0; i < count; i++) {
		/* Gone since the tree was walked, or a zombie: nothing left. */
		if (read_stat(pids[i], &process, boot_now, hz, page_kib) < 0 ||
		    process.state == 'Z')
			continue;
		totals->processes++;
		totals->cpu += process.user_cpu + process.system_cpu;
		totals->rss_kib += process.rss_kib;
	}
}

/* ps's TIME, with hundredths: a busy loop shows at once. */
static void format_cpu(uint64_t ns, char *buf, size_t size)
{
	uint64_t centis = ns / 10000000u;

	snprintf(buf, size, "%llu:%02llu.%02llu", (unsigned long long)(centis / 6000),
		 (unsigned long long)(centis / 100 % 60), (unsigned long long)(centis % 100));
}

/* A command line on one line: control characters would break the
 * one-line-a-process layout (? as ps shows them), and bytes the locale
 * cannot show (not valid UTF-8, or anything past ASCII in the C locale)
 * are \ooo, with a backslash doubled, as GNU's quote() shows names; the
 * terminal never gets raw bytes it would misread. */
static void print_printable(FILE *out, const char *s, size_t len)
{
	bool utf8 = diag_locale_utf8();
	mbstate_t state;

	memset(&state, 0, sizeof state);
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		wchar_t wide;
		size_t n;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				putc('?', out);
			else if (c == '\\')
				fputs("\\\\", out);
			else
				putc(c, out);
			i++;
			continue;
		}
		n = utf8 ? mbrtowc(&wide, s + i, len - i, &state) : (size_t)-1;
		if (n != (size_t)-1 && n != (size_t)-2 && n != 0 && iswprint((wint_t)wide)) {
			fwrite(s + i, 1, n, out);
			i += n;
			continue;
		}
		memset(&state, 0, sizeof state);
		fprintf(out, "\\%03o", c);
		i++;
	}
}

void snapshot_print(const struct report_snapshot *snapshot, FILE *out, const char *prefix)
{
	fprintf(out, "%s%7s %-4s %-20s %10s %8s %s\n", prefix, "PID", "STAT", "WCHAN", "TIME",
		"RSS", "COMMAND");
	for (size_t i = 0; i < snapshot->count; i++) {
		const struct report_process *process = &snapshot->processes[i];
		char stat[8], cpu[32];

		snprintf(stat, sizeof stat, "%c%s", process->state, process->threads > 1 ? "l" : "");
		format_cpu(process->user_cpu + process->system_cpu, cpu, sizeof cpu);
		fprintf(out, "%s%7d %-4s %-20.20s %10s %8ld ", prefix, (int)process->pid, stat,
			process->wchan ? process->wchan : "-", cpu, process->rss_kib);
		for (int d = 0; d < process->depth; d++)
			fputs(d + 1 < process->depth ? "    " : " \\_ ", out);
		if (process->cmdline)
			print_printable(out, process->cmdline, process->cmdline_len);
		else
			fprintf(out, "[%s]%s", process->comm,
				process->state == 'Z' ? " <defunct>" : "");
		putc('\n', out);
	}
	if (snapshot->omitted)
		fprintf(out, "%s(%zu more process%s not shown)\n", prefix, snapshot->omitted,
			snapshot->omitted == 1 ? "" : "es");
}

char *snapshot_pid_list(const struct report_snapshot *snapshot)
{
	char *list = malloc(snapshot->count * 12 + 1), *p = list;

	if (list == NULL)
		return NULL;
	*p = '\0';
	for (size_t i = 0; i < snapshot->count; i++)
		p += sprintf(p, "%s%d", i ? " " : "", (int)snapshot->processes[i].pid);
	return list;
}

void snapshot_free(struct report_snapshot *snapshot)
{
	for (size_t i = 0; i < snapshot->count; i++) {
		free(snapshot->processes[i].wchan);
		free(snapshot->processes[i].stack);
		free(snapshot->processes[i].cmdline);
	}
	free(snapshot->processes);
	free(snapshot->tail[0]);
	free(snapshot->tail[1]);
	*snapshot = (struct report_snapshot){ 0 };
}
