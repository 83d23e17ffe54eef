/* report.c - what happened, in numbers: the --report JSON object.
 *
 * While COMMAND runs the loop notes each signal it sends; when altimer
 * ends, on whatever path, main() composes one JSON object from the run and
 * saves it: a regular file is replaced by rename, so a reader never sees
 * half a report, keeping its mode and owner; anything else (a device, a
 * FIFO, a descriptor such as /dev/stdout) is written into, never replaced,
 * and links are followed to the file they name. */
#include "config.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
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

/* The directory a file named path lives in, in buf, which is returned.
 * Always in buf: glibc's dirname() returns a static "." for a bare name
 * ("run.json") and leaves its argument as it was, so a caller reading buf
 * would see the file's own name. */
static const char *directory_of(const char *path, char *buf, size_t size)
{
	char copy[PATH_MAX];

	snprintf(copy, sizeof copy, "%s", path);
	snprintf(buf, size, "%s", dirname(copy));
	return buf;
}

/* The descriptor a name stands for (/dev/stdout, /dev/fd/3,
 * /proc/self/fd/3...), or -1.  Such a name is a "magic" link to whatever
 * the descriptor holds, often no file at all (a pipe, a socket): the
 * report goes to the descriptor itself, as a shell's > /dev/stdout
 * writes to the shell's own descriptor. */
static int descriptor_named(const char *path)
{
	static const char *const prefixes[] = { "/dev/fd/", "/proc/self/fd/",
						"/proc/thread-self/fd/" };
	const char *digits = NULL;
	long fd = 0;

	if (strcmp(path, "/dev/stdin") == 0)
		return STDIN_FILENO;
	if (strcmp(path, "/dev/stdout") == 0)
		return STDOUT_FILENO;
	if (strcmp(path, "/dev/stderr") == 0)
		return STDERR_FILENO;
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (strncmp(path, prefixes[i], strlen(prefixes[i])) == 0)
			digits = path + strlen(prefixes[i]);
	if (digits == NULL || *digits == '\0')
		return -1;
	for (const char *p = digits; *p; p++) {
		if (*p < '0' || *p > '9' || fd > 1000000)
			return -1;
		fd = fd * 10 + (*p - '0');
	}
	return (int)fd;
}

/* Whether the link named path may be followed: not one that someone else
 * planted in a sticky, world-writable directory such as /tmp, pointing
 * where they could not write themselves.  The kernel refuses to follow
 * those (fs.protected_symlinks) in open(), but not in readlink(), so this
 * walk must refuse them itself, as root most of all. */
static bool may_follow(const char *path)
{
	char dir[PATH_MAX];
	struct stat link, parent;

	if (lstat(path, &link) < 0 || stat(directory_of(path, dir, sizeof dir), &parent) < 0)
		return false;
	if ((parent.st_mode & (S_ISVTX | S_IWOTH)) != (S_ISVTX | S_IWOTH))
		return true;
	return link.st_uid == geteuid() || link.st_uid == parent.st_uid;
}

/* Follow path through its symbolic links (as open() would, at most 40) to
 * the name of the file itself, in out: the report replaces that file, never
 * the link.  A name that stands for a descriptor stops the walk: returns
 * that descriptor (>= 0) instead.  Returns -1 for a file name, or -errno. */
static int follow_links(const char *path, char *out, size_t size)
{
	char link[PATH_MAX], dir[PATH_MAX];

	if (strlen(path) >= size)
		return -ENAMETOOLONG;
	snprintf(out, size, "%s", path);
	for (int hops = 0;; hops++) {
		int fd = descriptor_named(out);
		ssize_t n;

		if (fd >= 0)
			return fd;
		if (hops == 40)
			return -ELOOP;
		n = readlink(out, link, sizeof link - 1);
		if (n < 0)
			/* Not a link (EINVAL), or not there (yet): out is the
			 * file, and what it is is for the caller to find out. */
			return errno == ENAMETOOLONG ? -ENAMETOOLONG : -1;
		link[n] = '\0';
		if (!may_follow(out))
			return -EACCES;
		if (link[0] == '/') {
			snprintf(out, size, "%s", link);
			continue;
		}
		/* Relative to the directory holding the link. */
		directory_of(out, dir, sizeof dir);
		size_t dir_len = strcmp(dir, "/") == 0 ? 0 : strlen(dir);

		if (dir_len + 1 + (size_t)n >= size)
			return -ENAMETOOLONG;
		memcpy(out, dir, dir_len);
		out[dir_len] = '/';
		memcpy(out + dir_len + 1, link, (size_t)n + 1);
	}
}

/* What the report's file is, once links are followed.  The JSON is renamed
 * into place only over a regular file, or where nothing is yet: renaming
 * over /dev/null (as root) would make it a regular file that every later
 * "> /dev/null" fills. */
enum report_target {
	TARGET_NEW,		/* nothing there: create it */
	TARGET_REGULAR,		/* a regular file: replace it */
	TARGET_OTHER,		/* a device, FIFO, socket: write into it */
};

/* Classify the file named file (links already followed), checking what
 * altimer needs to write there.  Returns a target, or -errno. */
static int target_of(const char *file, struct stat *st)
{
	char dir[PATH_MAX];
	size_t len = strlen(file);

	/* A name ending in / names a directory, existing or not; the shell
	 * says the same of "> /tmp/nodir/". */
	if (len > 0 && file[len - 1] == '/')
		return -EISDIR;
	if (stat(file, st) == 0) {
		if (S_ISDIR(st->st_mode))
			return -EISDIR;
		if (!S_ISREG(st->st_mode))
			return access(file, W_OK) < 0 ? -errno : TARGET_OTHER;
		/* Written in place, or replaced through its directory, which
		 * keeps the owner only for the owner or root. */
		if (access(file, W_OK) == 0)
			return TARGET_REGULAR;
		if (st->st_uid != geteuid() && geteuid() != 0)
			return -EACCES;
		if (access(directory_of(file, dir, sizeof dir), W_OK | X_OK) < 0)
			return -errno;
		return TARGET_REGULAR;
	}
	if (errno != ENOENT)
		return -errno;
	/* Created next to where it goes: the directory must be there. */
	directory_of(file, dir, sizeof dir);
	if (stat(dir, st) < 0)
		return -errno;
	if (!S_ISDIR(st->st_mode))
		return -ENOTDIR;
	return access(dir, W_OK | X_OK) < 0 ? -errno : TARGET_NEW;
}

/* Make an empty temporary file next to file, its name in *temp (to be
 * freed).  Returns its descriptor, or -errno. */
static int temporary_beside(const char *file, char **temp)
{
	char dir[PATH_MAX];
	int fd;

	if (asprintf(temp, "%s/.altimer-report-XXXXXX",
		     directory_of(file, dir, sizeof dir)) < 0) {
		*temp = NULL;
		return -ENOMEM;
	}
	fd = mkostemp(*temp, O_CLOEXEC);
	if (fd < 0) {
		fd = -errno;
		free(*temp);
		*temp = NULL;
	}
	return fd;
}

/* Whether a regular file can be written into in place: opened for
 * writing, without truncating it, and closed. */
static int may_write_in_place(const char *file)
{
	int fd = open(file, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close_quietly(fd);
	return 0;
}

/* Before COMMAND starts, try what report_save() will do with a new or
 * regular file, short of writing it: access() says yes to root for any
 * file on a writable mount, /proc's and /sys's included, where no
 * temporary file can be made to rename into place and a write into the
 * file itself fails (EIO from /proc/version).  So a temporary file is
 * made and removed; where the directory refuses it for want of
 * permission, the file must open for writing, as report_save() then
 * writes into it.  Returns 0 or -errno. */
static int try_placing(const char *file, const struct stat *st, int target)
{
	char *temp = NULL;
	int fd;

	if (target == TARGET_REGULAR && st->st_nlink > 1)
		return may_write_in_place(file);
	fd = temporary_beside(file, &temp);
	if (fd >= 0) {
		close_quietly(fd);
		(void)unlink(temp);
		free(temp);
		return 0;
	}
	if (target == TARGET_NEW)
		return fd;
	if (fd == -EACCES || fd == -EPERM)
		return may_write_in_place(file);
	/* An existing file in a directory that takes no new file at all
	 * (ENOENT from procfs): "No such file or directory" would mislead. */
	return fd == -ENOENT ? -EOPNOTSUPP : fd;
}

int report_prepare(struct report *report, const char *path)
{
	char file[PATH_MAX];
	struct stat st;
	int fd, r;

	report->spare_fd = -1;
	report->output_fd = -1;
	if (strcmp(path, "-") == 0)
		return 0;
	fd = follow_links(path, file, sizeof file);
	if (fd >= 0) {
		int flags;

		/* Closed by the caller: altimer holds it with /dev/null, where
		 * the report would vanish. */
		if (fd <= STDERR_FILENO && (report->closed_standard_fds & (1u << fd)))
			return -EBADF;
		flags = fcntl(fd, F_GETFL);
		if (flags < 0)
			return -errno;
		if ((flags & O_ACCMODE) == O_RDONLY)
			return -EBADF;
		/* Held from now on: the command may close its copy, and
		 * altimer's own descriptor numbers must not matter. */
		report->output_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		return report->output_fd < 0 ? -errno : 0;
	}
	if (fd != -1)
		return fd;
	r = target_of(file, &st);
	if (r < 0)
		return r;
	if (r != TARGET_OTHER && (r = try_placing(file, &st, r)) < 0)
		return r;
	/* Whatever the command or the tree use up, this one stays free. */
	report->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return report->spare_fd < 0 ? -errno : 0;
}

void report_signal(struct report *report, int sig, const char *target, pid_t pid,
		   int processes, const char *cause, int step)
{
	if (!report->enabled)
		return;
	/* Exactly REPORT_SIGNALS_MAX listed: growth by doubling stops there
	 * rather than at the next power of two. */
	if (report->count >= REPORT_SIGNALS_MAX) {
		report->omitted++;
		return;
	}
	if (report->count == report->capacity) {
		size_t capacity = report->capacity ? report->capacity * 2 : 16;
		struct report_signal *grown;

		if (capacity > REPORT_SIGNALS_MAX)
			capacity = REPORT_SIGNALS_MAX;
		grown = realloc(report->signals, capacity * sizeof *grown);
		if (grown == NULL) {
			report->omitted++;
			return;
		}
		report->signals = grown;
		report->capacity = capacity;
	}
	report->signals[report->count++] = (struct report_signal){
		.at = clock_ns(CLOCK_MONOTONIC),
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

/* Write all of text to fd without ever waiting long on it: a FIFO or a
 * pipe whose reader stopped reading must not keep altimer from ending.
 * Pieces of PIPE_BUF bytes, each after poll() says there is room, so a
 * blocking descriptor shared with the caller (a dup of /dev/stdout) cannot
 * block either. */
static int write_patiently(int fd, const char *text, size_t len)
{
	while (len > 0) {
		struct pollfd ready = { .fd = fd, .events = POLLOUT };
		int n = poll(&ready, 1, REPORT_STALL_MS);
		ssize_t written;

		if (n < 0 && errno != EINTR)
			return -errno;
		if (n == 0)
			return -ETIMEDOUT;
		if (n < 0)
			continue;
		written = write(fd, text, len < PIPE_BUF ? len : PIPE_BUF);
		if (written < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		text += written;
		len -= (size_t)written;
	}
	return 0;
}

/* Open a FIFO for writing once a reader has it open: it may come a little
 * after altimer ends (a reader started in the background).  Waits at most
 * REPORT_STALL_MS, as for a reader that stopped reading. */
static int open_fifo(const char *file, int flags)
{
	const struct timespec pause = { .tv_nsec = 20 * 1000000 };

	for (int waited = 0;; waited += 20) {
		int fd = open(file, flags);

		/* ENXIO: nobody has it open for reading (yet). */
		if (fd >= 0 || errno != ENXIO || waited >= REPORT_STALL_MS)
			return fd < 0 ? -errno : fd;
		(void)nanosleep(&pause, NULL);
	}
}

/* Write text over file in place: for what cannot be renamed over (a
 * device, a FIFO), and for a regular file whose owner, links or directory
 * a rename would not keep.  Never creates: a device that went away is not
 * replaced by a regular file. */
static int write_in_place(const char *file, mode_t mode, const char *text, size_t len)
{
	int flags = O_WRONLY | O_NOCTTY | O_CLOEXEC;
	int fd, r;

	/* Non-blocking, so that neither the open of a FIFO nor a write to a
	 * reader that stopped can hold altimer. */
	flags |= S_ISREG(mode) ? O_TRUNC : O_NONBLOCK;
	fd = S_ISFIFO(mode) ? open_fifo(file, flags) : open(file, flags);
	if (fd < 0)
		return S_ISFIFO(mode) ? fd : -errno;
	r = write_patiently(fd, text, len);
	if (close(fd) < 0 && r == 0 && errno != EINTR)
		r = -errno;
	return r;
}

/* Write text under a temporary name next to file and rename it over
 * file.  old is the file being replaced (NULL when there is none): the new
 * one gets its mode and owner, so a 0600 report stays private and a report
 * another user owns stays theirs.  Returns 0, -EPERM when the owner
 * cannot be kept (not root), or -errno. */
static int replace(const char *file, const struct stat *old, const char *text, size_t len)
{
	char *temp = NULL;
	mode_t mode;
	int fd, r = 0;

	fd = temporary_beside(file, &temp);
	if (fd < 0)
		return fd;
	if (old != NULL) {
		struct stat st;

		if (fstat(fd, &st) < 0)
			r = -errno;
		else if ((st.st_uid != old->st_uid || st.st_gid != old->st_gid) &&
			 fchown(fd, old->st_uid, old->st_gid) < 0)
			r = -errno;
		mode = old->st_mode & 07777;
	} else {
		/* As a plain create would: 0666 less the umask, not
		 * mkstemp's 0600. */
		mode_t mask = umask(0);

		umask(mask);
		mode = 0666 & ~mask;
	}
	/* After fchown, which clears set-id bits. */
	if (r == 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r == 0)
		r = write_all(fd, text, len);
	if (close(fd) < 0 && r == 0 && errno != EINTR)
		r = -errno;
	if (r == 0 && rename(temp, file) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(temp);
	free(temp);
	return r;
}

int report_save(struct report *report, const char *path, const char *text, size_t len)
{
	char file[PATH_MAX];
	struct stat st;
	int fd, r;

	close_quietly(report->spare_fd);
	report->spare_fd = -1;
	/* Standard error too may be a pipe or a terminal nobody reads. */
	if (strcmp(path, "-") == 0)
		return write_patiently(STDERR_FILENO, text, len);
	/* Set by report_prepare, always 3 or more (0 in a struct it never
	 * saw). */
	if (report->output_fd > STDERR_FILENO) {
		r = write_patiently(report->output_fd, text, len);
		close_quietly(report->output_fd);
		report->output_fd = -1;
		return r;
	}
	/* Again, now: the links or the directory may have changed since the
	 * start, and the report goes where path leads now. */
	fd = follow_links(path, file, sizeof file);
	if (fd >= 0)
		return write_patiently(fd, text, len);
	if (fd != -1)
		return fd;
	r = target_of(file, &st);
	if (r == TARGET_NEW)
		return replace(file, NULL, text, len);
	if (r == TARGET_OTHER)
		return write_in_place(file, st.st_mode, text, len);
	if (r != TARGET_REGULAR)
		return r;
	/* Renaming would split a file with several names from the others. */
	if (st.st_nlink > 1)
		return write_in_place(file, st.st_mode, text, len);
	r = replace(file, &st, text, len);
	/* Not root: the file stays another user's, or the directory is not
	 * writable (or sticky): write into the file, as > would. */
	if (r == -EPERM || r == -EACCES)
		r = write_in_place(file, st.st_mode, text, len);
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

/* A total the cgroup kept over the run, or null when the kernel does not
 * keep it here (its controller is off). */
static void json_count(FILE *out, const char *name, int64_t value)
{
	if (value < 0)
		fprintf(out, "\"%s\": null", name);
	else
		fprintf(out, "\"%s\": %" PRId64, name, value);
}

/* The whole tree's usage, from its cgroup: CPU time, peaks, and how long
 * it stalled waiting for CPU, memory or I/O (pressure totals, in µs).  The
 * cgroup was made for the command: its totals are the tree's. */
static void json_tree_usage(FILE *out, const struct cgroup_usage *usage)
{
	if (!usage->valid || usage->user_us < 0) {
		fputs("null", out);
		return;
	}
	fputs("{\"user_cpu\": ", out);
	json_seconds(out, (uint64_t)usage->user_us * 1000u);
	fputs(", \"system_cpu\": ", out);
	json_seconds(out, (uint64_t)usage->system_us * 1000u);
	fputs(", ", out);
	json_count(out, "memory_peak_kib", usage->memory_peak < 0 ? -1 : usage->memory_peak / 1024);
	fputs(", ", out);
	json_count(out, "pids_peak", usage->pids_peak);
	fputs(", \"pressure\": {", out);
	json_count(out, "cpu_some_us", usage->cpu_some_us);
	fputs(", ", out);
	json_count(out, "memory_some_us", usage->memory_some_us);
	fputs(", ", out);
	json_count(out, "memory_full_us", usage->memory_full_us);
	fputs(", ", out);
	json_count(out, "io_some_us", usage->io_some_us);
	fputs(", ", out);
	json_count(out, "io_full_us", usage->io_full_us);
	fputs("}}", out);
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
		json_seconds(out, since(report->zero, sent->at));
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
	fprintf(out, ",\n  \"clock\": \"%s\"", options->boot_clock ? "boot" : "awake");
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
	fputs(",\n  \"heartbeat\": ", out);
	json_seconds(out, options->heartbeat);
}

/* The tree when a limit fired, in forest order, and the tails of
 * COMMAND's output. */
static void json_snapshot(FILE *out, const struct snapshot *snapshot, uint64_t zero)
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
	json_seconds(out, since(zero, snapshot->at));
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
		json_seconds(out, since(report->zero, report->ended));
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
	fprintf(out, "]},\n  \"notes_sent\": %" PRIu64 ",\n  \"heartbeats\": %" PRIu64,
		facts->notes_sent, facts->heartbeats);

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
	/* Why the keepalive relay stopped passing a stream on, if it did. */
	fputs(",\n  \"output_errors\": {\"stdout\": ", out);
	json_text(out, facts->output_errors[0] ? strerror(facts->output_errors[0]) : NULL);
	fputs(", \"stderr\": ", out);
	json_text(out, facts->output_errors[1] ? strerror(facts->output_errors[1]) : NULL);
	putc('}', out);
	fputs(",\n  \"containment\": ", out);
	json_text(out, facts->containment);
	fputs(",\n  \"containment_reason\": ", out);
	json_text(out, facts->containment_reason);
	fputs(",\n  \"tree_usage\": ", out);
	json_tree_usage(out, &facts->tree_usage);
	fprintf(out, ",\n  \"notify\": {\"ready\": %s, \"status\": ",
		facts->notify_ready ? "true" : "false");
	json_text(out, facts->notify_status);
	putc('}', out);
	json_snapshot(out, facts->snapshot, report->zero);
	json_hook(out, options, facts->hook);
	fputs("\n}\n", out);
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
