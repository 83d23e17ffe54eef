/* notify.c - the sd_notify protocol, served to COMMAND on a private socket.
 *
 * The socket is in the abstract namespace (NOTIFY_SOCKET=@..., which
 * sd_notify and systemd-notify accept): it has no file, so nothing is
 * left behind however altimer ends, kill -9 included.  Anyone in the
 * network namespace could send to it: SO_PASSCRED lets altimer check each
 * sender's uid.  Messages are newline-separated KEY=VALUE lines, as
 * systemd reads them. */
#include "config.h"
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

/* systemd itself accepts datagrams up to this size. */
#define NOTIFY_MAX 4096

int notify_open(struct notify *notify)
{
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	unsigned char random[8] = { 0 };
	int one = 1, r, fd;

	notify->fd = -1;
	notify->path[0] = '\0';
	/* A name nobody can guess and take first: the PID and 64 random
	 * bits (the clock's, where /dev/urandom cannot be read). */
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read_retry(fd, random, sizeof random) != (ssize_t)sizeof random) {
		uint64_t now = clock_ns(CLOCK_MONOTONIC) ^ (uint64_t)getpid() << 40;
		memcpy(random, &now, sizeof random);
	}
	close_quietly(fd);
	uint64_t bits;
	memcpy(&bits, random, sizeof bits);
	snprintf(notify->path, sizeof notify->path, "@altimer-notify-%d-%016" PRIx64,
		 (int)getpid(), bits);

	notify->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (notify->fd < 0)
		goto fail;
	if (setsockopt(notify->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0)
		goto fail;
	/* '@' stands for the leading NUL of an abstract name; the length,
	 * not a terminator, ends it. */
	size_t len = strlen(notify->path);
	memcpy(address.sun_path, notify->path, len);
	address.sun_path[0] = '\0';
	if (bind(notify->fd, (struct sockaddr *)&address,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		goto fail;
	if (setenv("NOTIFY_SOCKET", notify->path, 1) < 0)
		goto fail;
	return 0;
fail:
	r = -errno;
	notify_close(notify);
	return r;
}

static bool parse_usec(const char *value, uint64_t *usec)
{
	char *end;

	if (*value < '0' || *value > '9')
		return false;
	errno = 0;
	*usec = strtoull(value, &end, 10);
	return errno == 0 && *end == '\0';
}

/* One KEY=VALUE line; false when it means nothing (no '=', a value that
 * does not parse), which systemd also skips without dropping the rest. */
static bool parse_line(char *line, struct notify_message *message, char *status,
		       size_t status_size)
{
	char *value = strchr(line, '=');

	if (value == NULL)
		return false;
	*value++ = '\0';
	if (strcmp(line, "WATCHDOG") == 0) {
		if (strcmp(value, "1") == 0)
			message->watchdog = true;
		else if (strcmp(value, "trigger") == 0)
			message->trigger = true;
		else
			return false;
	} else if (strcmp(line, "WATCHDOG_USEC") == 0) {
		uint64_t usec;

		if (!parse_usec(value, &usec) || usec == 0)
			return false;
		message->watchdog_usec = usec;
	} else if (strcmp(line, "EXTEND_TIMEOUT_USEC") == 0) {
		uint64_t usec;

		if (!parse_usec(value, &usec))
			return false;
		message->extend_usec = usec;
	} else if (strcmp(line, "READY") == 0) {
		message->ready = strcmp(value, "1") == 0;
	} else if (strcmp(line, "STATUS") == 0) {
		snprintf(status, status_size, "%s", value);
		message->has_status = true;
	}
	/* MAINPID=, STOPPING=1, ERRNO= ... mean nothing here. */
	return true;
}

int notify_parse(const char *data, size_t size, struct notify_message *message,
		 char *status, size_t status_size)
{
	char line[NOTIFY_MAX + 1];
	size_t start = 0;
	int ignored = 0;

	*message = (struct notify_message){ 0 };
	/* systemd drops a datagram with a NUL in it whole. */
	if (size > NOTIFY_MAX || memchr(data, '\0', size) != NULL)
		return -EINVAL;
	/* Line by line, as systemd reads it: a line that means nothing is
	 * skipped, the others still count. */
	while (start < size) {
		const char *newline = memchr(data + start, '\n', size - start);
		size_t len = newline ? (size_t)(newline - (data + start)) : size - start;

		memcpy(line, data + start, len);
		line[len] = '\0';
		start += len + 1;
		if (len == 0)
			continue;
		if (parse_line(line, message, status, status_size))
			message->understood++;
		else
			ignored++;
	}
	return ignored;
}

int notify_receive(struct notify *notify, struct notify_message *message,
		   const char **why)
{
	char data[NOTIFY_MAX + 1];
	char control[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { .iov_base = data, .iov_len = sizeof data };
	struct msghdr header = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof control,
	};
	struct ucred *credentials = NULL;
	char status[sizeof notify->status];
	ssize_t n;

	n = recvmsg(notify->fd, &header, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	/* Descriptors passed along (FDSTORE=1) are not kept. */
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&header); c; c = CMSG_NXTHDR(&header, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
			credentials = (struct ucred *)(void *)CMSG_DATA(c);
		else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int *fds = (int *)(void *)CMSG_DATA(c);
			size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < count; i++)
				close_quietly(fds[i]);
		}
	}
	if (credentials == NULL || credentials->uid != geteuid()) {
		*why = "from another user";
		return -EINVAL;
	}
	if ((size_t)n > NOTIFY_MAX || (header.msg_flags & MSG_TRUNC)) {
		*why = "too long";
		return -EINVAL;
	}
	message->ignored = notify_parse(data, (size_t)n, message, status, sizeof status);
	if (message->ignored < 0 || (message->ignored > 0 && message->understood == 0)) {
		*why = "malformed";
		return -EINVAL;
	}
	if (message->ready)
		notify->ready = true;
	if (message->has_status)
		memcpy(notify->status, status, sizeof status);
	return 1;
}

void notify_close(struct notify *notify)
{
	close_quietly(notify->fd);
	notify->fd = -1;
}
