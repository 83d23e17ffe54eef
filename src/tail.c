/* tail.c - the last bytes a relay stream moved, for the snapshot.
 *
 * The relay splices, so the bytes never pass through altimer's memory.
 * To see the last of them anyway, tee() first shares the pages about to
 * move with a scratch pipe; after the splice, all but the last TAIL_SIZE
 * bytes actually moved are spliced from the scratch pipe to /dev/null, the
 * rest are read into a ring, and whatever did not move (a full output)
 * is dropped from the scratch pipe too.  Only those few KiB are copied:
 * the relay stays zero-copy, and the tail is exact even when a splice
 * moves less than it was offered. */
#include "config.h"
#include "tail.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util.h"

/* As big as one relay move, so a tee never holds back what a splice
 * could move. */
#define TAIL_SCRATCH_SIZE (1 << 20)

/* One scratch pipe and one /dev/null for every tail: a move peeks, moves
 * and leaves the scratch pipe empty before the next, so the streams can
 * share them, and altimer needs three descriptors for this, not six. */
static int scratch[2] = { -1, -1 };
static int null_fd = -1;

int tail_open(struct tail *tail)
{
	*tail = (struct tail){ .start = 0 };
	if (null_fd >= 0)
		return 0;
	if (pipe2(scratch, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	(void)fcntl(scratch[0], F_SETPIPE_SZ, TAIL_SCRATCH_SIZE);
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null_fd < 0) {
		int r = -errno;
		close_quietly(scratch[0]);
		close_quietly(scratch[1]);
		scratch[0] = scratch[1] = -1;
		return r;
	}
	return 0;
}

long tail_peek(int from, size_t max)
{
	int left = 0;

	if (null_fd < 0)
		return -EBADF;
	for (;;) {
		ssize_t n = tee(from, scratch[1], max, SPLICE_F_NONBLOCK);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		/* EAGAIN also means a full scratch pipe, which tail_keep never
		 * leaves: if it ever does, the move goes ahead unseen rather
		 * than stall the relay. */
		if (errno == EAGAIN && ioctl(scratch[0], FIONREAD, &left) == 0 && left > 0)
			return -EBADF;
		return -errno;
	}
}

/* Let n bytes of the scratch pipe go.  Returns false when some stayed. */
static bool drop(size_t n)
{
	while (n > 0) {
		ssize_t r = splice(scratch[0], NULL, null_fd, NULL, n, SPLICE_F_NONBLOCK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		n -= (size_t)r;
	}
	return true;
}

void tail_note(struct tail *tail, const char *buf, size_t len)
{
	if (len >= TAIL_SIZE) {
		memcpy(tail->ring, buf + len - TAIL_SIZE, TAIL_SIZE);
		tail->start = 0;
		tail->len = TAIL_SIZE;
		return;
	}
	for (size_t i = 0; i < len; i++) {
		tail->ring[(tail->start + tail->len) % TAIL_SIZE] = buf[i];
		if (tail->len < TAIL_SIZE)
			tail->len++;
		else
			tail->start = (tail->start + 1) % TAIL_SIZE;
	}
}

void tail_keep(struct tail *tail, size_t peeked, size_t moved)
{
	char buf[TAIL_SIZE];
	size_t keep, got = 0;
	int left = 0, saved = errno;

	if (null_fd < 0 || peeked == 0)
		return;
	if (moved > peeked)
		moved = peeked;
	keep = moved < TAIL_SIZE ? moved : TAIL_SIZE;
	bool clean = drop(moved - keep);
	while (got < keep) {
		ssize_t n = read_retry(scratch[0], buf + got, keep - got);
		if (n <= 0) {
			clean = false;
			break;
		}
		got += (size_t)n;
	}
	tail_note(tail, buf, got);
	/* What did not move goes too: the scratch pipe must start empty at
	 * the next peek.  After a failure, whatever is left. */
	if (clean)
		clean = drop(peeked - moved);
	if (!clean && ioctl(scratch[0], FIONREAD, &left) == 0 && left > 0)
		(void)drop((size_t)left);
	/* The caller still reads the errno of its own move. */
	errno = saved;
}

size_t tail_copy(const struct tail *tail, char *buf)
{
	for (size_t i = 0; i < tail->len; i++)
		buf[i] = tail->ring[(tail->start + i) % TAIL_SIZE];
	return tail->len;
}
