/* atomicfile.c - write a file whole or not at all, wherever its name leads.
 *
 * A regular file is replaced by rename, so a reader never sees half of
 * it, keeping its mode and owner; anything else (a device, a FIFO, a
 * descriptor such as /dev/stdout) is written into, never replaced, and
 * links are followed to the file they name.  Everything is checked before
 * COMMAND starts, and a descriptor is set aside then, so the file can
 * still be written when the command has used up altimer's descriptors. */
#include "config.h"
#include "atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* The temporary file's name, next to the file: one that users and the
 * tests know to be altimer's. */
#define TEMPORARY_NAME ".altimer-report-XXXXXX"

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
 * file goes to the descriptor itself, as a shell's > /dev/stdout
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
 * the name of the file itself, in out: the writer replaces that file, never
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

/* What the file is, once links are followed.  The text is renamed
 * into place only over a regular file, or where nothing is yet: renaming
 * over /dev/null (as root) would make it a regular file that every later
 * "> /dev/null" fills. */
enum file_target {
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

	if (asprintf(temp, "%s/" TEMPORARY_NAME,
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

/* Before COMMAND starts, try what atomic_file_save() will do with a new or
 * regular file, short of writing it: access() says yes to root for any
 * file on a writable mount, /proc's and /sys's included, where no
 * temporary file can be made to rename into place and a write into the
 * file itself fails (EIO from /proc/version).  So a temporary file is
 * made and removed; where the directory refuses it for want of
 * permission, the file must open for writing, as atomic_file_save() then
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

int atomic_file_prepare(struct atomic_file *atomic, const char *path)
{
	char file[PATH_MAX];
	struct stat st;
	int fd, r;

	atomic->spare_fd = -1;
	atomic->output_fd = -1;
	if (strcmp(path, "-") == 0)
		return 0;
	fd = follow_links(path, file, sizeof file);
	if (fd >= 0) {
		int flags;

		/* Closed by the caller: altimer holds it with /dev/null, where
		 * the text would vanish. */
		if (fd <= STDERR_FILENO && (atomic->closed_standard_fds & (1u << fd)))
			return -EBADF;
		flags = fcntl(fd, F_GETFL);
		if (flags < 0)
			return -errno;
		if ((flags & O_ACCMODE) == O_RDONLY)
			return -EBADF;
		/* Held from now on: the command may close its copy, and
		 * altimer's own descriptor numbers must not matter. */
		atomic->output_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		return atomic->output_fd < 0 ? -errno : 0;
	}
	if (fd != -1)
		return fd;
	r = target_of(file, &st);
	if (r < 0)
		return r;
	if (r != TARGET_OTHER && (r = try_placing(file, &st, r)) < 0)
		return r;
	/* Whatever the command or the tree use up, this one stays free. */
	atomic->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return atomic->spare_fd < 0 ? -errno : 0;
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
		int n = poll(&ready, 1, ATOMIC_FILE_STALL_MS);
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
 * ATOMIC_FILE_STALL_MS, as for a reader that stopped reading. */
static int open_fifo(const char *file, int flags)
{
	const struct timespec pause = { .tv_nsec = 20 * 1000000 };

	for (int waited = 0;; waited += 20) {
		int fd = open(file, flags);

		/* ENXIO: nobody has it open for reading (yet). */
		if (fd >= 0 || errno != ENXIO || waited >= ATOMIC_FILE_STALL_MS)
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

int atomic_file_save(struct atomic_file *atomic, const char *path, const char *text, size_t len)
{
	char file[PATH_MAX];
	struct stat st;
	int fd, r;

	close_quietly(atomic->spare_fd);
	atomic->spare_fd = -1;
	/* Standard error too may be a pipe or a terminal nobody reads. */
	if (strcmp(path, "-") == 0)
		return write_patiently(STDERR_FILENO, text, len);
	/* Set by atomic_file_prepare, always 3 or more (0 in a struct it never
	 * saw). */
	if (atomic->output_fd > STDERR_FILENO) {
		r = write_patiently(atomic->output_fd, text, len);
		close_quietly(atomic->output_fd);
		atomic->output_fd = -1;
		return r;
	}
	/* Again, now: the links or the directory may have changed since the
	 * start, and the text goes where path leads now. */
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

