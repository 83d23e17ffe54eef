/* util.c - small system-call helpers that handle EINTR and short I/O once. */
#include "config.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t read_retry(int fd, void *buf, size_t len)
{
	for (;;) {
		ssize_t n = read(fd, buf, len);
		if (n >= 0)
			return n;
		if (errno != EINTR)
			return -errno;
	}
}

int reopen_nonblocking(int fd, bool *socket)
{
	struct stat st;
	char path[32];

	*socket = false;
	if (fstat(fd, &st) < 0)
		return -1;
	if (S_ISSOCK(st.st_mode)) {
		*socket = true;
		return -1;
	}
	if (!S_ISFIFO(st.st_mode) && !isatty(fd))
		return -1;
	char number[24];
	format_uint(number, (unsigned)fd);
	join(path, sizeof path, "/proc/self/fd/", number, NULL);
	return open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
}

ssize_t read_small_at(int dir_fd, const char *name, char *buf, size_t size)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read_retry(fd, buf, size - 1);
	close_quietly(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

ssize_t read_all_at(int dir_fd, const char *name, char **text)
{
	ssize_t n;
	int fd;

	*text = NULL;
	fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read_all_fd(fd, text);
	close_quietly(fd);
	return n;
}

ssize_t read_all_fd(int fd, char **text)
{
	size_t size = 4096, len = 0;
	char *buf = NULL;
	ssize_t n;

	*text = NULL;
	for (;;) {
		if (buf == NULL || len + 1 >= size) {
			char *grown = realloc(buf, buf ? size *= 2 : size);
			if (grown == NULL) {
				n = -ENOMEM;
				break;
			}
			buf = grown;
		}
		n = read_retry(fd, buf + len, size - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (n < 0) {
		free(buf);
		return n;
	}
	buf[len] = '\0';
	*text = buf;
	return (ssize_t)len;
}

char *format_uint(char *buf, unsigned long long value)
{
	char digits[21], *at = digits + sizeof digits;

	do
		*--at = (char)('0' + value % 10);
	while ((value /= 10) != 0);
	size_t n = (size_t)(digits + sizeof digits - at);
	memcpy(buf, at, n);
	buf[n] = '\0';
	return buf + n;
}

size_t join(char *buf, size_t size, ...)
{
	size_t len = 0;
	const char *part;
	va_list parts;

	va_start(parts, size);
	while ((part = va_arg(parts, const char *)) != NULL) {
		size_t n = strlen(part);
		if (len < size) {
			size_t room = size - 1 - len;
			memcpy(buf + len, part, n < room ? n : room);
		}
		len += n;
	}
	va_end(parts);
	if (size > 0)
		buf[len < size ? len : size - 1] = '\0';
	return len;
}

unsigned long long descriptor_limit(void)
{
	/* altimer never changes its own RLIMIT_NOFILE: asked once. */
	static unsigned long long limit;
	static bool known;
	struct rlimit files;

	if (!known) {
		limit = getrlimit(RLIMIT_NOFILE, &files) == 0 ? (unsigned long long)files.rlim_cur
							      : ULLONG_MAX;
		known = true;
	}
	return limit;
}

bool few_descriptors(void)
{
	return descriptor_limit() < 32;
}

void close_quietly(int fd)
{
	int saved = errno;

	if (fd >= 0)
		(void)close(fd);
	errno = saved;
}

void close_all_but(int *keep, int count)
{
	unsigned int low = 3;

	/* Few, so a simple sort. */
	for (int i = 1; i < count; i++)
		for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			int t = keep[j];
			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	for (int i = 0; i <= count; i++) {
		unsigned int high = i < count ? (unsigned int)keep[i] : ~0U;
		if (i < count && keep[i] < 3)
			continue;
		if (high > low && syscall(SYS_close_range, low, high - 1, 0) < 0)
			for (unsigned int fd = low; fd < high && fd < 4096; fd++)
				(void)close((int)fd);
		if (i < count)
			low = (unsigned int)keep[i] + 1;
	}
}

/* Also run by COMMAND's shared start (spawn_shared), on a stack the
 * sanitizers do not know: uninstrumented. */
__attribute__((no_sanitize("address"), no_sanitize("undefined"))) void
dispositions_restore(const struct signal_restore *restore)
{
	for (size_t i = 0; restore->signals[i] != 0; i++)
		(void)sigaction(restore->signals[i], &restore->actions[i], NULL);
}

uint64_t clock_ns(clockid_t clock)
{
	struct timespec now;

	clock_gettime(clock, &now);
	return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}
