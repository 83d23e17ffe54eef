/* cgroup.c - the command's own cgroup (v2): atomic kill, frozen signals,
 * the end of the tree as an event, and the tree's usage.
 *
 * A cgroup holds every descendant of COMMAND however it forks, double
 * forks or calls setsid(), and the kernel acts on it as a whole:
 * cgroup.kill KILLs every member (and stops new forks) in one write, and
 * cgroup.events says "populated 0" once the last one is gone.  altimer
 * makes the cgroup a child of its own, with no controller enabled: then
 * the no-internal-process rule of cgroup v2 does not apply, and the same
 * works for an inner altimer inside an outer one's cgroup. */
#include "config.h"
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <time.h>
#include <unistd.h>

#include "pidref.h"
#include "procfs.h"
#include "tree.h"
#include "util.h"

void cgroup_init(struct cgroup *cgroup)
{
	/* All but the path's 4 KiB, which would take a page of memory. */
	memset(cgroup, 0, offsetof(struct cgroup, parent));
	cgroup->parent[0] = '\0';
	cgroup->dir_fd = -1;
	cgroup->parent_fd = -1;
	cgroup->guardian_fd = -1;
	cgroup->procs_fd = -1;
	cgroup->events_fd = -1;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* Hand each line of a small text file to take() until it returns other
 * than 1 (0: found, -errno: failed).  Returns that, or -ENOENT.  Read
 * whole, without stdio: the default mode reads /proc/self/cgroup, and
 * stdio's code and buffer would cost every run memory GNU's does not. */
static int scan_lines(const char *path, int (*take)(char *line, void *context),
		      void *context)
{
	char *text, *line, *next;
	ssize_t n = read_all_at(AT_FDCWD, path, &text);
	int r = -ENOENT;

	if (n < 0)
		return (int)n;
	for (line = text; *line != '\0'; line = next) {
		next = line + strcspn(line, "\n");
		if (*next == '\n')
			*next++ = '\0';
		if ((r = take(line, context)) != 1)
			break;
		r = -ENOENT;
	}
	free(text);
	return r;
}

struct mount_found {
	char *point, **root;
	size_t size;
};

/* Whether path leads to a cgroup2 file system. */
static bool is_cgroup2(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

/* A mountinfo line: id parent major:minor root mountpoint options... -
 * fstype source. */
static int take_cgroup2_mount(char *line, void *context)
{
	struct mount_found *found = context;
	char *fields[5], *save = NULL;
	char *dash = strstr(line, " - ");
	int n = 0;

	if (dash == NULL || strncmp(dash + 3, "cgroup2 ", 8) != 0)
		return 1;
	*dash = '\0';
	for (char *f = strtok_r(line, " ", &save); f && n < 5; f = strtok_r(NULL, " ", &save))
		fields[n++] = f;
	if (n < 5)
		return 1;
	unescape_octal(fields[3]);
	unescape_octal(fields[4]);
	if (strlen(fields[4]) >= found->size)
		return 1;
	/* A mount hidden under a later one is listed still, but its path
	 * leads elsewhere. */
	if (!is_cgroup2(fields[4]))
		return 1;
	if ((*found->root = strdup(fields[3])) == NULL)
		return -ENOMEM;
	strcpy(found->point, fields[4]);
	return 0;
}

/* statmount(2) (Linux 6.8), which the C library may not know yet; the
 * layout is the kernel's stable ABI. */
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U
#endif
#define STATMOUNT_MNT_ROOT_ 0x08U
#define STATMOUNT_MNT_POINT_ 0x10U
#if defined(SYS_statmount)
#define STATMOUNT_NR SYS_statmount
#elif !defined(__alpha__) && !defined(__mips__)
#define STATMOUNT_NR 457 /* the unified number; Alpha and MIPS add theirs */
#endif

struct mount_request {
	uint32_t size, spare;
	uint64_t mnt_id, param;
};

struct mount_status {
	uint32_t size, mnt_opts;
	uint64_t mask;
	uint32_t sb_dev_major, sb_dev_minor;
	uint64_t sb_magic;
	uint32_t sb_flags, fs_type;
	uint64_t mnt_id, mnt_parent_id;
	uint32_t mnt_id_old, mnt_parent_id_old;
	uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master, propagate_from;
	uint32_t mnt_root, mnt_point;	/* offsets into str */
	uint64_t spare2[50];
	char str[];
};

/* Where systemd and the distributions mount cgroup2 (a pure v2 system,
 * a hybrid one), asked directly: statfs says which holds cgroup2,
 * statmount says what reading mountinfo would (its mount point, the
 * cgroup it shows as its root), at a fifth of the cost.  Returns
 * -ENOENT when neither place holds cgroup2 and -ENOSYS where the kernel
 * lacks statmount or a filter refuses it: mountinfo answers then. */
#ifndef STATMOUNT_NR
static int find_mount_at_usual_places(char *point, char **root, size_t size)
{
	(void)point, (void)root, (void)size;
	return -ENOSYS;
}
#else
static int find_mount_at_usual_places(char *point, char **root, size_t size)
{
	static const char *const places[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	/* On the heap, as cgroup_create's paths: the kernel fills a few bytes
	 * of it, at the end a stack frame would put 8 KiB down. */
	const size_t answer_size = sizeof(struct mount_status) + 2 * PATH_MAX;
	struct mount_status *status = NULL;
	int r = -ENOENT;

	for (size_t i = 0; i < sizeof places / sizeof *places; i++) {
		struct statx stx;

		if (!is_cgroup2(places[i]))
			continue;
		r = -ENOSYS;
		if (statx(AT_FDCWD, places[i], 0, STATX_MNT_ID_UNIQUE, &stx) < 0 ||
		    !(stx.stx_mask & STATX_MNT_ID_UNIQUE) ||
		    (status = malloc(answer_size)) == NULL)
			break;
		struct mount_request request = { .size = sizeof request,
						 .mnt_id = stx.stx_mnt_id,
						 .param = STATMOUNT_MNT_ROOT_ |
							  STATMOUNT_MNT_POINT_ };
		if (syscall(STATMOUNT_NR, &request, status, answer_size, 0) < 0 ||
		    (status->mask & request.param) != request.param)
			break;
		/* The strings lie inside the answer, each ended by a NUL. */
		size_t room = answer_size - offsetof(struct mount_status, str);
		if (status->mnt_root >= room || status->mnt_point >= room ||
		    strnlen(status->str + status->mnt_root, room - status->mnt_root) >= room ||
		    strnlen(status->str + status->mnt_point, room - status->mnt_point) >= size)
			break;
		strcpy(point, status->str + status->mnt_point);
		*root = strdup(status->str + status->mnt_root);
		r = *root ? 0 : -ENOMEM;
		break;
	}
	free(status);
	return r;
}
#endif

/* The cgroup2 mount: its mount point (in point, size bytes) and the
 * cgroup it shows as its root (not "/" inside a cgroup namespace mounted
 * from outside), malloc'ed in *root. */
static int find_mount(char *point, char **root, size_t size)
{
	struct mount_found found = { point, root, size };

	if (find_mount_at_usual_places(point, root, size) == 0)
		return 0;
	return scan_lines("/proc/self/mountinfo", take_cgroup2_mount, &found);
}

static int take_v2_line(char *line, void *context)
{
	char **path = context;

	if (strncmp(line, "0::", 3) != 0)
		return 1;
	*path = strdup(line + 3);
	return *path ? 0 : -ENOMEM;
}

/* altimer's own cgroup in the v2 hierarchy, malloc'ed in *path: the "0::"
 * line. */
static int find_own(char **path)
{
	return scan_lines("/proc/self/cgroup", take_v2_line, path);
}

static int write_at(int dir_fd, const char *name, const char *text)
{
	int fd = openat(dir_fd, name, O_WRONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = write_all(fd, text, strlen(text));
	close_quietly(fd);
	return r;
}

/* The cgroup's directory, in buf, between the words before and after
 * (a line to say written in place, with no path buffer of its own). */
static void cgroup_path(const struct cgroup *cgroup, char *buf, size_t size, const char *before,
			const char *after)
{
	join(buf, size, before, cgroup->parent,
	     cgroup->parent[strlen(cgroup->parent) - 1] == '/' ? "" : "/", cgroup->name, after,
	     NULL);
}

/* Where altimer and its guardian were both killed outright, nobody removed
 * their cgroup: the next altimer made in the same place removes it, when
 * it is empty, its altimer is gone and it is a few seconds old (younger,
 * it may belong to an altimer of another PID namespace that has not
 * started its command in it yet).  rmdir refuses a cgroup with members.
 *
 * A run reads a window of the parent's entries, not the whole directory:
 * one getdents64 of SWEEP_BYTES, at most SWEEP_MAX cgroups of altimers.
 * Where 500 altimers started together, each read all the others' entries
 * (125,000 in all, under the directory's lock that their mkdirs wait
 * for).  cgroupfs (kernfs) lists a directory in the order of its names'
 * hashes, and the offset of an entry is its hash: the window starts at
 * an offset of the run's own (its PID, scattered over the hashes), so
 * each stale cgroup falls in the window of one of the next runs. */
#define STALE_AFTER_S 5
#define SWEEP_MAX 16
#define SWEEP_BYTES 1024
struct sweep_names {
	char names[SWEEP_MAX][48];
	pid_t pids[SWEEP_MAX];
	size_t count;
};

/* The altimer cgroups among the entries of one getdents64 read at the
 * directory's offset, up to the one at offset stop.  Whether the read
 * reached the directory's end (room was left for one more entry). */
static bool sweep_read(int dir_fd, struct sweep_names *found, long long stop)
{
	union {
		char bytes[SWEEP_BYTES];
		struct dirent64 first;
	} buf;
	pid_t self = getpid();
	ssize_t n = syscall(SYS_getdents64, dir_fd, buf.bytes, sizeof buf.bytes);
	long long position = -1;

	for (ssize_t at = 0; at < n && found->count < SWEEP_MAX;) {
		const struct dirent64 *entry = (const struct dirent64 *)(buf.bytes + at);
		char *end;
		long pid;

		/* An entry's offset is the one its predecessor gives as next. */
		if (position >= stop)
			return false;
		position = entry->d_off;
		at += entry->d_reclen;
		if (entry->d_type != DT_DIR || strncmp(entry->d_name, "altimer-", 8) != 0 ||
		    strlen(entry->d_name) >= sizeof *found->names)
			continue;
		pid = strtol(entry->d_name + 8, &end, 10);
		if (pid <= 0 || pid > INT_MAX || pid == self || (*end != '\0' && *end != '-'))
			continue;
		memcpy(found->names[found->count], entry->d_name, strlen(entry->d_name) + 1);
		found->pids[found->count++] = (pid_t)pid;
	}
	return n >= 0 && (size_t)n + sizeof(struct dirent64) <= sizeof buf.bytes;
}

static void sweep_stale(int parent_fd)
{
	struct sweep_names found = { .count = 0 };
	/* Knuth's multiplicative hash spreads neighbouring PIDs apart. */
	off_t start = (off_t)(((uint32_t)getpid() * 2654435761u) & INT_MAX);
	struct timespec now;

	/* Past the last hash, the window goes on from the first entry, up to
	 * where it started. */
	if ((lseek(parent_fd, start, SEEK_SET) != start ||
	     sweep_read(parent_fd, &found, LLONG_MAX)) &&
	    found.count < SWEEP_MAX && lseek(parent_fd, 0, SEEK_SET) == 0)
		(void)sweep_read(parent_fd, &found, start);
	clock_gettime(CLOCK_REALTIME, &now);
	for (size_t i = 0; i < found.count; i++) {
		struct stat st;

		/* Its altimer is alive while /proc has its PID (not kill(pid,
		 * 0): a probe is no signal, and none is sent by PID alone). */
		if (procfs_exists(found.pids[i]) != 0)
			continue;
		if (fstatat(parent_fd, found.names[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    now.tv_sec - st.st_ctim.tv_sec >= STALE_AFTER_S)
			(void)unlinkat(parent_fd, found.names[i], AT_REMOVEDIR);
	}
	close_quietly(parent_fd);
}

void cgroup_sweep_stale(struct cgroup *cgroup)
{
	int parent_fd = cgroup->parent_fd;

	/* The descriptor cgroup_create opened the parent with, kept for
	 * this one use: no second lookup of the path.  The sweep's
	 * directory stream owns it from here and closes it. */
	cgroup->parent_fd = -1;
	if (cgroup->dir_fd < 0 || parent_fd < 0) {
		close_quietly(parent_fd);
		return;
	}
	sweep_stale(parent_fd);
}

/* The directory of altimer's own cgroup, in dir (size bytes): the
 * cgroup2 mount point joined to altimer's cgroup below the mount's root.
 * Those two, mostly a few bytes of a possible PATH_MAX, are malloc'ed in
 * *root and *own: PATH_MAX buffers on the stack put every call below
 * them kilobytes deeper, and altimer's peak RSS with them. */
static int find_parent(char *dir, size_t size, char **root, char **own, char *why,
		       size_t why_size)
{
	const char *relative;
	int r;

	if ((r = find_mount(dir, root, size)) < 0) {
		snprintf(why, why_size, "no cgroup2 file system is mounted");
		return r;
	}
	if ((r = find_own(own)) < 0) {
		snprintf(why, why_size, "altimer is in no cgroup v2 (/proc/self/cgroup)");
		return r;
	}
	/* In a cgroup namespace the mount may show a subtree only. */
	relative = *own;
	if (strcmp(*root, "/") != 0) {
		size_t len = strlen(*root);
		if (strncmp(*own, *root, len) != 0 || ((*own)[len] != '/' && (*own)[len] != '\0')) {
			snprintf(why, why_size, "altimer's cgroup %s is outside the cgroup2 mount %s",
				 *own, dir);
			return -ENOENT;
		}
		relative = *own + len;
	}
	if (strlen(dir) + 1 + strlen(relative) >= size) {
		snprintf(why, why_size, "altimer's cgroup has too long a path");
		return -ENAMETOOLONG;
	}
	if (relative[0] != '/')
		strcat(dir, "/");
	strcat(dir, relative);
	return 0;
}

int cgroup_create(struct cgroup *cgroup, char *why, size_t why_size)
{
	const char *dir = cgroup->parent;
	char *root = NULL, *own = NULL;
	int r;

	cgroup_init(cgroup);
	r = find_parent(cgroup->parent, sizeof cgroup->parent, &root, &own, why, why_size);
	free(root);
	free(own);
	if (r < 0) {
		cgroup->parent[0] = '\0';
		return r;
	}
	int parent_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent_fd < 0) {
		r = -errno;
		snprintf(why, why_size, "cannot open %s: %s", dir, strerror(-r));
		return r;
	}
	/* A stale directory of the same name (a PID used again) is left to
	 * cgroup_sweep_stale, after the command's start: a suffix makes the
	 * name unique. */
	for (int attempt = 0;; attempt++) {
		char pid[24], suffix[24] = "";
		format_uint(pid, (unsigned)getpid());
		if (attempt > 0)
			format_uint(stpcpy(suffix, "-"), (unsigned)attempt);
		join(cgroup->name, sizeof cgroup->name, "altimer-", pid, suffix, NULL);
		if (mkdirat(parent_fd, cgroup->name, 0755) == 0)
			break;
		r = -errno;
		if (r != -EEXIST || attempt >= 16) {
			snprintf(why, why_size, "cannot create a cgroup in %s: %s", dir,
				 strerror(-r));
			close_quietly(parent_fd);
			return r;
		}
	}
	cgroup->dir_fd = openat(parent_fd, cgroup->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* cgroup.kill (Linux 5.14) kills in one write; before it, from 5.2,
	 * cgroup.freeze does the same in three steps (cgroup_kill).  Below
	 * 5.2 the tree walk does better than half a cgroup mode.  A new
	 * cgroup's files all have one owner: one check answers for all. */
	if (cgroup->dir_fd < 0 || (faccessat(cgroup->dir_fd, "cgroup.kill", W_OK, 0) < 0 &&
				   faccessat(cgroup->dir_fd, "cgroup.freeze", W_OK, 0) < 0)) {
		char after[128];

		r = errno ? -errno : -ENOENT;
		snprintf(after, sizeof after, ": %s", strerror(-r));
		cgroup_path(cgroup, why, why_size, "cannot use the new cgroup ", after);
		/* Nothing is in it yet: it goes by name, whatever was opened. */
		(void)unlinkat(parent_fd, cgroup->name, AT_REMOVEDIR);
		close_quietly(cgroup->dir_fd);
		close_quietly(parent_fd);
		cgroup_init(cgroup);
		return r;
	}
	/* Kept for cgroup_sweep_stale, once the command runs (close-on-exec:
	 * the command never has it). */
	cgroup->parent_fd = parent_fd;
	cgroup_path(cgroup, why, why_size, "made ", "");
	return 0;
}

int cgroup_dir_fd(const struct cgroup *cgroup)
{
	return cgroup->dir_fd;
}

static int signal_pid(pid_t pid, int sig);
static int events_wait(const struct cgroup *cgroup, const char *key, int want, int timeout_ms);

void cgroup_hold(struct cgroup *cgroup)
{
	if (cgroup->dir_fd < 0 || cgroup->procs_fd >= 0 || few_descriptors())
		return;
	cgroup->procs_fd = openat(cgroup->dir_fd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	cgroup->events_fd = openat(cgroup->dir_fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
}

static ssize_t read_procs(int dir_fd, int procs_fd, char **text)
{
	/* Read again from the start, the kernel lists the members anew. */
	if (procs_fd >= 0 && lseek(procs_fd, 0, SEEK_SET) == 0)
		return read_all_fd(procs_fd, text);
	return read_all_at(dir_fd, "cgroup.procs", text);
}

/* The members of the cgroup at dir_fd, as its cgroup.procs (procs_fd,
 * where held open) lists them (this level only: nested cgroups list their
 * own), in the kernel's order: malloc'ed, *count of them.  The one reader
 * of cgroup.procs.  Returns NULL with errno set on failure. */
static pid_t *read_members(int dir_fd, int procs_fd, size_t *count)
{
	char *text;
	ssize_t n = read_procs(dir_fd, procs_fd, &text);
	size_t found = 0, capacity = 1;
	pid_t *pids;

	if (n < 0) {
		errno = (int)-n;
		return NULL;
	}
	for (const char *p = text; *p; p++)
		capacity += *p == '\n';
	pids = malloc(capacity * sizeof *pids);
	for (char *p = text, *end; pids != NULL && *p && found < capacity; p = end) {
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 0)
			pids[found++] = (pid_t)pid;
	}
	free(text);
	if (pids == NULL)
		errno = ENOMEM;
	*count = found;
	return pids;
}

/* visit(parent_fd, name, dir_fd, data): one cgroup of a walk, at dir_fd
 * (-1 where it could not be opened), named name in parent_fd; -1 and NULL
 * for the cgroup the walk starts at. */
typedef void cgroup_visit(int parent_fd, const char *name, int dir_fd, void *data);

/* Call visit on the cgroup at dir_fd and on every cgroup nested in it,
 * each before the ones nested in it, or with nested_first after them (a
 * cgroup with children cannot be removed).  Nesting deeper than 32 levels
 * is not followed. */
static void walk_cgroups(int parent_fd, const char *name, int dir_fd, int depth,
			 bool nested_first, cgroup_visit *visit, void *data)
{
	/* A descriptor of its own, not a dup: a dup shares dir_fd's offset,
	 * which the walk before (the KILL's, then the removal's) left at the
	 * end, so the next walk would find no nested cgroup. */
	int fd = depth < 32 && dir_fd >= 0 ?
		 openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *entry;

	if (!nested_first)
		visit(parent_fd, name, dir_fd, data);
	if (dir == NULL)
		close_quietly(fd);
	while (dir != NULL && (entry = readdir(dir)) != NULL) {
		if (entry->d_type != DT_DIR || strcmp(entry->d_name, ".") == 0 ||
		    strcmp(entry->d_name, "..") == 0)
			continue;
		int child = openat(dir_fd, entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		walk_cgroups(dir_fd, entry->d_name, child, depth + 1, nested_first, visit, data);
		close_quietly(child);
	}
	if (dir != NULL)
		closedir(dir);
	if (nested_first)
		visit(parent_fd, name, dir_fd, data);
}

/* KILL to every member of one cgroup of the walk. */
static void kill_members(int parent_fd, const char *name, int dir_fd, void *data)
{
	size_t count = 0;
	pid_t *members = dir_fd >= 0 ? read_members(dir_fd, -1, &count) : NULL;

	(void)parent_fd;
	(void)name;
	(void)data;
	for (size_t i = 0; i < count; i++)
		(void)signal_pid(members[i], SIGKILL);
	free(members);
}

/* cgroup.kill's work before Linux 5.14, from 5.2: frozen, no member can
 * fork, exit or leave, so one pass over cgroup.procs at every level finds
 * them all; KILL ends a frozen process (the v2 freezer lets fatal signals
 * through); the thaw lets the ones a frozen state held up go too. */
static int kill_frozen(const struct cgroup *cgroup)
{
	int r = write_at(cgroup->dir_fd, "cgroup.freeze", "1");

	if (r < 0)
		return r;
	/* Bounded: a member in uninterruptible sleep holds "frozen 1" up, and
	 * can fork only once out of it. */
	(void)events_wait(cgroup, "frozen", 1, 1000);
	walk_cgroups(-1, NULL, cgroup->dir_fd, 0, false, kill_members, NULL);
	(void)write_at(cgroup->dir_fd, "cgroup.freeze", "0");
	return 0;
}

int cgroup_kill(struct cgroup *cgroup)
{
	int r;

	if (cgroup->dir_fd < 0)
		return -EBADF;
	r = write_at(cgroup->dir_fd, "cgroup.kill", "1");
	if (r == -ENOENT)
		r = kill_frozen(cgroup);
	cgroup->killed = cgroup->killed || r == 0;
	return r;
}

/* One "key value" line of cgroup.events, read from fd (opened on
 * cgroup.events) or from a fresh open when fd is -1. */
static int events_value(const struct cgroup *cgroup, int fd, const char *key)
{
	char buf[256], *line;
	size_t len = strlen(key);
	ssize_t n;

	if (cgroup->dir_fd < 0)
		return -EBADF;
	if (fd < 0)
		fd = cgroup->events_fd;
	n = fd >= 0 ? pread(fd, buf, sizeof buf - 1, 0)
		    : read_small_at(cgroup->dir_fd, "cgroup.events", buf, sizeof buf);
	if (n < 0)
		return fd >= 0 ? -errno : (int)n;
	buf[n > 0 ? n : 0] = '\0';
	for (line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (strncmp(line, key, len) == 0 && line[len] == ' ')
			return atoi(line + len + 1) != 0;
	return -ENOENT;
}

/* Wait until cgroup.events shows key at want, or timeout_ms passed. */
static int events_wait(const struct cgroup *cgroup, const char *key, int want, int timeout_ms)
{
	uint64_t start;
	int fd, r;

	if (cgroup->dir_fd < 0)
		return -EBADF;
	/* Without a descriptor for poll, re-reading every 20 ms still works. */
	fd = openat(cgroup->dir_fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	start = clock_ns(CLOCK_MONOTONIC);
	for (;;) {
		int value = events_value(cgroup, fd, key);
		if (value < 0 || value == want) {
			r = value < 0 ? value : 0;
			break;
		}
		long spent = (long)((clock_ns(CLOCK_MONOTONIC) - start) / 1000000);
		if (spent >= timeout_ms) {
			r = -ETIMEDOUT;
			break;
		}
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };
		/* A change of the file wakes poll; the short cap covers a change
		 * that came between the read and the poll. */
		(void)poll(&pfd, 1, (int)(timeout_ms - spent < 20 ? timeout_ms - spent : 20));
	}
	close_quietly(fd);
	return r;
}

/* A PID read from cgroup.procs may have ended and been reused by then,
 * outside the cgroup, unless the cgroup is frozen: the handle (a pidfd
 * where allowed) is taken first, and the process it holds is signalled
 * only if it is still a member of the cgroup called name, as the tree walk
 * checks a start time.  name NULL: frozen, no check needed. */
static int signal_member(pid_t pid, int sig, const char *name)
{
	struct pidref handle = PIDREF_NONE;
	int r = pidref_open(&handle, pid);

	if (r == 0)
		r = name == NULL || procfs_in_cgroup(pid, name) ? pidref_signal(&handle, sig, false)
								 : -ESRCH;
	pidref_close(&handle);
	return r;
}

static int signal_pid(pid_t pid, int sig)
{
	return signal_member(pid, sig, NULL);
}

void cgroup_freeze(const struct cgroup *cgroup)
{
	/* Freezing reaches the nested cgroups too.  The wait for "frozen 1"
	 * is bounded: a member in uninterruptible sleep may hold it up, and
	 * the signals are then merely not quite simultaneous. */
	if (cgroup->dir_fd >= 0 && write_at(cgroup->dir_fd, "cgroup.freeze", "1") == 0)
		(void)events_wait(cgroup, "frozen", 1, 500);
}

void cgroup_thaw(const struct cgroup *cgroup)
{
	if (cgroup->dir_fd >= 0)
		(void)write_at(cgroup->dir_fd, "cgroup.freeze", "0");
}

static int compare_pids(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Whether a nested timeout (altimer, GNU timeout) of this cgroup stands
 * between pid and the cgroup's edge: that one gets the signal and
 * translates it, its command must not get the outer one directly.  Only
 * members count: the walk up stops at the first process outside the
 * cgroup (altimer itself, or, once altimer is dead, whoever adopted its
 * children, which may be an outer altimer), so the guardian and altimer
 * decide alike whenever they run.  Processes are frozen: the chain holds. */
static bool below_a_supervisor(pid_t pid, const pid_t *members, size_t count)
{
	struct procfs_stat stat;

	if (procfs_stat(pid, &stat) < 0)
		return false;
	for (int depth = 0; depth < 64 && stat.ppid > 1; depth++) {
		if (bsearch(&stat.ppid, members, count, sizeof *members, compare_pids) == NULL)
			return false;
		if (tree_is_supervisor(stat.ppid))
			return true;
		if (procfs_stat(stat.ppid, &stat) < 0)
			return false;
	}
	return false;
}

int cgroup_signal(const struct cgroup *cgroup, int sig, pid_t except_group)
{
	pid_t *members;
	size_t count = 0;
	int signalled = 0;

	if (cgroup->dir_fd < 0)
		return -EBADF;
	members = read_members(cgroup->dir_fd, cgroup->procs_fd, &count);
	if (members == NULL)
		return -errno;
	/* Sorted, for below_a_supervisor's lookups. */
	qsort(members, count, sizeof *members, compare_pids);
	for (size_t i = 0; i < count; i++) {
		pid_t pid = members[i];

		if (except_group > 0 && (pid == except_group || getpgid(pid) == except_group))
			continue;
		if (sig != SIGKILL && below_a_supervisor(pid, members, count))
			continue;
		if (signal_member(pid, sig, cgroup->name) == 0)
			signalled++;
	}
	free(members);
	return signalled;
}

int cgroup_count_outside(const struct cgroup *cgroup, pid_t group)
{
	pid_t *members;
	size_t count = 0;
	int outside = 0;

	if (cgroup->dir_fd < 0)
		return -EBADF;
	members = read_members(cgroup->dir_fd, cgroup->procs_fd, &count);
	if (members == NULL)
		return -errno;
	/* One that is gone by now is in no group: counted. */
	for (size_t i = 0; i < count; i++)
		outside += group <= 0 || getpgid(members[i]) != group;
	free(members);
	return outside;
}

int cgroup_count(const struct cgroup *cgroup)
{
	return cgroup_count_outside(cgroup, 0);
}

int cgroup_populated(const struct cgroup *cgroup)
{
	return events_value(cgroup, -1, "populated");
}

int cgroup_populated_at(struct cgroup *cgroup, int events_fd)
{
	int r = events_value(cgroup, events_fd, "populated");

	if (r == 0)
		cgroup->emptied = true;
	return r;
}

int cgroup_events_open(const struct cgroup *cgroup)
{
	if (cgroup->dir_fd < 0)
		return -1;
	/* The held one's open file, shared: a read through either is the
	 * look that poll's next change is measured from. */
	if (cgroup->events_fd >= 0)
		return fcntl(cgroup->events_fd, F_DUPFD_CLOEXEC, 0);
	return openat(cgroup->dir_fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
}

int cgroup_wait_empty(const struct cgroup *cgroup, int timeout_ms)
{
	return events_wait(cgroup, "populated", 0, timeout_ms);
}

/* "key value" from a flat-keyed file such as cpu.stat, or -1. */
static int64_t keyed_value(const char *text, const char *key)
{
	size_t len = strlen(key);

	for (const char *line = text; line && *line;) {
		if (strncmp(line, key, len) == 0 && line[len] == ' ')
			return strtoll(line + len + 1, NULL, 10);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

/* The total= of the "some" or "full" line of a pressure file, or -1. */
static int64_t pressure_total(const char *text, const char *kind)
{
	const char *line = strstr(text, kind);
	const char *total;

	if (line == NULL)
		return -1;
	total = strstr(line, "total=");
	if (total == NULL)
		return -1;
	return strtoll(total + 6, NULL, 10);
}

void cgroup_usage(const struct cgroup *cgroup, struct cgroup_usage *usage)
{
	char buf[1024];

	*usage = (struct cgroup_usage){ .user_us = -1, .system_us = -1, .memory_peak = -1,
					.pids_peak = -1, .cpu_some_us = -1,
					.memory_some_us = -1, .memory_full_us = -1,
					.io_some_us = -1, .io_full_us = -1 };
	if (cgroup->dir_fd < 0)
		return;
	usage->valid = true;
	if (read_small_at(cgroup->dir_fd, "cpu.stat", buf, sizeof buf) > 0) {
		usage->user_us = keyed_value(buf, "user_usec");
		usage->system_us = keyed_value(buf, "system_usec");
	}
	if (read_small_at(cgroup->dir_fd, "memory.peak", buf, sizeof buf) > 0)
		usage->memory_peak = strtoll(buf, NULL, 10);
	if (read_small_at(cgroup->dir_fd, "pids.peak", buf, sizeof buf) > 0)
		usage->pids_peak = strtoll(buf, NULL, 10);
	if (read_small_at(cgroup->dir_fd, "cpu.pressure", buf, sizeof buf) > 0)
		usage->cpu_some_us = pressure_total(buf, "some");
	if (read_small_at(cgroup->dir_fd, "memory.pressure", buf, sizeof buf) > 0) {
		usage->memory_some_us = pressure_total(buf, "some");
		usage->memory_full_us = pressure_total(buf, "full");
	}
	if (read_small_at(cgroup->dir_fd, "io.pressure", buf, sizeof buf) > 0) {
		usage->io_some_us = pressure_total(buf, "some");
		usage->io_full_us = pressure_total(buf, "full");
	}
}

/* Move whatever is still in the cgroup to altimer's own, so the cgroup can
 * go: a command that ended in time keeps its background processes, as
 * with GNU (and --no-leftovers has killed them before this). */
static void move_out(const struct cgroup *cgroup)
{
	int parent_fd = open(cgroup->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	for (int round = 0; round < 8 && parent_fd >= 0; round++) {
		size_t count = 0;
		pid_t *members = read_members(cgroup->dir_fd, cgroup->procs_fd, &count);

		for (size_t i = 0; i < count; i++) {
			char text[24];
			snprintf(text, sizeof text, "%d\n", (int)members[i]);
			(void)write_at(parent_fd, "cgroup.procs", text);
		}
		free(members);
		if (count == 0)
			break;
	}
	close_quietly(parent_fd);
}

/* Remove one empty cgroup of a walk, nested in the one it starts at: an
 * inner altimer killed with the tree had no chance to remove its own. */
static void remove_nested(int parent_fd, const char *name, int dir_fd, void *data)
{
	(void)dir_fd;
	(void)data;
	if (name != NULL)
		(void)unlinkat(parent_fd, name, AT_REMOVEDIR);
}

/* rmdir by path: no descriptor needed on the way out.  Returns 0 or
 * -errno (-EBUSY while populated). */
static int remove_dir(const struct cgroup *cgroup)
{
	char path[sizeof cgroup->parent + sizeof cgroup->name + 1];

	cgroup_path(cgroup, path, sizeof path, "", "");
	return rmdir(path) < 0 ? -errno : 0;
}

/* The guardian's work once altimer is gone without its goodbye: the tree
 * gets what a timeout would have given it (sig, frozen, as the command got
 * it as its parent-death signal; grace_ms to end), then cgroup.kill, and
 * the cgroup goes. */
static void guardian_act(struct cgroup *cgroup, int sig, int grace_ms)
{
	if (sig > 0 && sig != SIGKILL && grace_ms > 0) {
		cgroup_freeze(cgroup);
		(void)cgroup_signal(cgroup, sig, 0);
		(void)cgroup_signal(cgroup, SIGCONT, 0);
		cgroup_thaw(cgroup);
		(void)cgroup_wait_empty(cgroup, grace_ms);
	}
	(void)cgroup_kill(cgroup);
	(void)cgroup_wait_empty(cgroup, 5000);
	walk_cgroups(-1, NULL, cgroup->dir_fd, 0, true, remove_nested, NULL);
	(void)remove_dir(cgroup);
}

int cgroup_guardian_main(int argc, char **argv)
{
	struct cgroup cgroup;
	int sig, grace_ms;

	if (argc != 7 || strcmp(argv[0], CGROUP_GUARDIAN_NAME) != 0 ||
	    strcmp(argv[1], "--guardian") != 0)
		return -1;
	cgroup_init(&cgroup);
	cgroup.dir_fd = atoi(argv[4]);
	sig = atoi(argv[5]);
	grace_ms = atoi(argv[6]);
	snprintf(cgroup.parent, sizeof cgroup.parent, "%s", argv[2]);
	snprintf(cgroup.name, sizeof cgroup.name, "%s", argv[3]);
	(void)prctl(PR_SET_NAME, CGROUP_GUARDIAN_NAME);
	guardian_act(&cgroup, sig, grace_ms);
	return 0;
}

/* The guardian's watch shares altimer's memory (CLONE_VM): no copy of
 * altimer's pages, none of the copy-on-write faults a fork costs altimer
 * afterwards, and nothing to tear down when it ends.  While altimer lives
 * it may therefore touch nothing of altimer's but this plan, written
 * before the clone and never after, and its own stack: raw system calls
 * (close_all_but's too) only, no allocation, no formatting, no stdio.
 * (errno, altimer's too, is written only by a failing call, and none of
 * these fails on a kernel with cgroup.kill, short of a seccomp filter
 * refusing close_range.)  Once
 * altimer is gone it has the memory to itself, in whatever state a KILL
 * left it: it runs altimer's binary afresh for the work
 * (cgroup_guardian_main). */
static struct {
	/* Its top and the plan above it share a page of altimer's memory:
	 * the struct is page-aligned and the stack ends 1 KiB short of a
	 * page's end, more than the plan with the usual short paths. */
	char stack[32768 - 1024];
	int pipe_fd, pipe_write_fd, altimer_fd, dir_fd, null_fd;
	pid_t altimer;			/* its parent while altimer lives */
	int keep[3];			/* pipe_fd, altimer_fd (or -1), dir_fd */
	char *argv[8];
	char *path;			/* the cgroup's, in strings */
	/* argv's strings and the path, one after the other: the parent,
	 * the name, dir_fd, sig and grace_ms as numbers, and the path. */
	char strings[2 * sizeof ((struct cgroup *)0)->parent +
		     2 * sizeof ((struct cgroup *)0)->name + 3 * 24];
} guardian_plan __attribute__((aligned(4096)));

__attribute__((no_sanitize("address"), no_sanitize("undefined"))) static int
guardian_watch(void *unused)
{
	/* Woken only by altimer's end, and as late as the parent's wait for
	 * it: its pidfd, or without one the pipe's last writer gone (HUP,
	 * which poll reports unasked).  Not by the goodbye: a guardian woken
	 * then takes altimer's CPU (one that slept long preempts it) just as
	 * altimer ends, and, leaving the memory first, leaves altimer its
	 * teardown. */
	struct pollfd watch = { .fd = guardian_plan.altimer_fd, .events = POLLIN };
	char byte = 0;

	(void)unused;
	(void)syscall(SYS_close, guardian_plan.pipe_write_fd);
	/* Out of the caller's session: no terminal's signals.  Every signal
	 * stays blocked, as it was born: none ends it, none interrupts it. */
	(void)syscall(SYS_setsid);
	(void)syscall(SYS_prctl, PR_SET_NAME, CGROUP_GUARDIAN_NAME, 0, 0, 0);
	/* No descriptor of altimer's or the caller's held open but its
	 * three: a $(...) around altimer must see EOF when altimer ends. */
	for (int fd = 0; fd < 3 && guardian_plan.null_fd > 2; fd++)
		(void)syscall(SYS_dup3, guardian_plan.null_fd, fd, 0);
	close_all_but(guardian_plan.keep, 3);
	/* The cgroup's descriptor goes on into the fresh binary. */
	(void)syscall(SYS_fcntl, guardian_plan.dir_fd, F_SETFD, 0);
	if (watch.fd < 0)
		watch = (struct pollfd){ .fd = guardian_plan.pipe_fd, .events = 0 };
	for (;;) {
		long r = syscall(SYS_ppoll, &watch, 1, NULL, NULL, 0);
		if (r > 0 && watch.revents != 0)
			break;
		if (r >= 0)
			continue;
		/* With every signal blocked ppoll is never interrupted: it
		 * failed for good (a seccomp filter, no memory).  Not a spin:
		 * a look at the parent once a second. */
		struct timespec second = { 1, 0 };
		if (syscall(SYS_getppid) != guardian_plan.altimer)
			break;
		(void)syscall(SYS_nanosleep, &second, NULL);
	}
	/* The pipe does not block: altimer is gone, and a command between
	 * its fork and its exec may still hold a copy of the write end. */
	if (syscall(SYS_read, guardian_plan.pipe_fd, &byte, 1) == 1) {
		/* altimer ended normally.  "r": it left the empty cgroup's
		 * rmdir to the guardian, off the caller's wait for altimer.
		 * One that will not go (a nested cgroup, a member still
		 * exiting) gets the full clean-up below. */
		if (byte != 'r' || syscall(SYS_rmdir, guardian_plan.path) == 0 || errno == ENOENT)
			return 0;
	}
	/* altimer is gone: its environment (with any test's marks) goes on. */
	(void)syscall(SYS_execve, "/proc/self/exe", guardian_plan.argv, environ);
	/* No binary to run: the KILL at least, raw. */
	long fd = syscall(SYS_openat, guardian_plan.dir_fd, "cgroup.kill", O_WRONLY);
	if (fd >= 0)
		(void)syscall(SYS_write, fd, "1", 1);
	return 1;
}

/* The guardian starts with clone(CLONE_VM), outside spawn.c, on numbers
 * (2026-12-07, 2 shared CPUs, 7 alternating rounds of 300 `altimer 10
 * true` in a shell loop, the guardian started by CLONE_VM or by fork(),
 * median per call): 8.9 ms against 11.5 ms (fork slower in 6 rounds of
 * 7), and again under the load of a test run 13.6 ms against 15.2 ms (5
 * of 7); bench/interleave.c, 1000 rounds alternating call by call (each
 * started by env(1), which picked the variant): 16.6 ms against 19.8 ms,
 * first quartiles 13.1 against 15.9.  A fork copies altimer's page
 * tables, and altimer then pays copy-on-write faults and the teardown of
 * its own memory at its end, on the caller's wait.  posix_spawn of
 * /proc/self/exe --guardian shares memory only until its exec, but then
 * starts altimer's binary a second time, CPU taken from the command (a
 * loop of `altimer --version`: 6.0 ms a call in the same rounds).  The
 * price is guardian_watch's discipline below. */
int cgroup_guardian_start(struct cgroup *cgroup, int sig, int grace_ms)
{
	struct pidref altimer = PIDREF_NONE;
	int pipe_fds[2], r, altimer_fd;
	sigset_t all, old;
	pid_t guardian;

	if (cgroup->dir_fd < 0)
		return -EBADF;
	/* Started once: the plan is written before the only clone. */
	if (guardian_plan.argv[0] != NULL)
		return -EBUSY;
	/* Without a pidfd (refused) the pipe's end alone tells of the death. */
	(void)pidref_open(&altimer, getpid());
	altimer_fd = altimer.pidfd;
	if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		r = -errno;
		close_quietly(altimer_fd);
		return r;
	}
	/* Opened here, where a failure is altimer's to see. */
	guardian_plan.null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	guardian_plan.pipe_fd = pipe_fds[0];
	guardian_plan.pipe_write_fd = pipe_fds[1];
	guardian_plan.altimer_fd = altimer_fd;
	guardian_plan.altimer = getpid();
	guardian_plan.dir_fd = cgroup->dir_fd;
	guardian_plan.keep[0] = pipe_fds[0];
	guardian_plan.keep[1] = altimer_fd;
	guardian_plan.keep[2] = cgroup->dir_fd;
	/* The strings, each after the one before. */
	char *at = guardian_plan.strings, *end = at + sizeof guardian_plan.strings;
	char **argv = guardian_plan.argv;
	argv[0] = (char *)CGROUP_GUARDIAN_NAME;
	argv[1] = (char *)"--guardian";
	argv[2] = at;
	at += join(at, (size_t)(end - at), cgroup->parent, NULL) + 1;
	argv[3] = at;
	at += join(at, (size_t)(end - at), cgroup->name, NULL) + 1;
	argv[4] = at;
	at = format_uint(at, (unsigned)cgroup->dir_fd) + 1;
	argv[5] = at;
	at = format_uint(at, (unsigned)sig) + 1;
	argv[6] = at;
	at = format_uint(at, (unsigned)grace_ms) + 1;
	guardian_plan.path = at;
	cgroup_path(cgroup, at, (size_t)(end - at), "", "");
	argv[7] = NULL;
	/* altimer's child, outside the command's cgroup, left out of every
	 * walk of the command's tree (tree_exclude).  Born with every signal
	 * blocked: no signal may end it while it watches. */
	sigfillset(&all);
	(void)sigprocmask(SIG_BLOCK, &all, &old);
	guardian = clone(guardian_watch, guardian_plan.stack + sizeof guardian_plan.stack,
			 CLONE_VM | SIGCHLD, NULL);
	r = guardian < 0 ? -errno : 0;
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	close_quietly(pipe_fds[0]);
	close_quietly(altimer_fd);
	close_quietly(guardian_plan.null_fd);
	if (r < 0) {
		close_quietly(pipe_fds[1]);
		return r;
	}
	cgroup->guardian_fd = pipe_fds[1];
	return guardian;
}

int cgroup_remove(struct cgroup *cgroup)
{
	int r = 0;

	/* Left only when the command never started (no sweep). */
	close_quietly(cgroup->parent_fd);
	cgroup->parent_fd = -1;
	/* Empty, with a guardian to outlive altimer: the rmdir (a tenth of
	 * a millisecond, the most of altimer's end) is the guardian's, once
	 * altimer has ended and its caller has its status.  Not when altimer
	 * is PID 1 of its namespace (a container's): its end KILLs the
	 * guardian with the rest of the namespace.  Emptiness the leftovers'
	 * wait has just read is not read again; else it is read through the
	 * held cgroup.events, before the held files go. */
	bool to_guardian = cgroup->dir_fd >= 0 && cgroup->guardian_fd >= 0 && getpid() != 1 &&
			   (cgroup->emptied || cgroup_populated(cgroup) == 0);
	close_quietly(cgroup->procs_fd);
	close_quietly(cgroup->events_fd);
	cgroup->procs_fd = cgroup->events_fd = -1;
	if (to_guardian && write_all(cgroup->guardian_fd, "r", 1) == 0) {
		close_quietly(cgroup->dir_fd);
		cgroup->dir_fd = -1;
		cgroup->guardian_fd = -1;
		return 0;
	}
	if (cgroup->dir_fd >= 0) {
		/* Mostly the cgroup is empty by now and goes at once.  EBUSY:
		 * members are left (they die or move out; the last ones may
		 * still be exiting), or nested cgroups of an inner altimer. */
		r = remove_dir(cgroup);
		if (r == -EBUSY && cgroup_populated(cgroup) > 0) {
			if (!cgroup->killed)
				move_out(cgroup);
			(void)cgroup_wait_empty(cgroup, 1000);
		}
		if (r == -EBUSY)
			walk_cgroups(-1, NULL, cgroup->dir_fd, 0, true, remove_nested, NULL);
		for (int attempt = 0; r == -EBUSY && attempt < 100; attempt++) {
			r = remove_dir(cgroup);
			if (r == -EBUSY)
				(void)cgroup_wait_empty(cgroup, 10);
		}
		close_quietly(cgroup->dir_fd);
		cgroup->dir_fd = -1;
	}
	if (cgroup->guardian_fd >= 0) {
		/* The goodbye, read by the guardian once altimer has ended:
		 * the cgroup is gone, there is no work left.  The pipe stays
		 * open until then: its end would wake the guardian now. */
		(void)write_all(cgroup->guardian_fd, "x", 1);
		cgroup->guardian_fd = -1;
	}
	return r;
}
