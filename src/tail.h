/* tail.h - the last bytes a relay stream moved, for the snapshot. */
#ifndef ALTIMER_TAIL_H
#define ALTIMER_TAIL_H

#include <stddef.h>
#include <sys/types.h>

/* How many of the last bytes are kept. */
#define TAIL_SIZE 4096

struct tail {
	char ring[TAIL_SIZE];
	size_t start, len;	/* the kept bytes in ring, oldest at start */
};

/* Prepare to keep a tail; without it (descriptors short) tail_peek only
 * says "not peeking".  Returns 0 or -errno. */
int tail_open(struct tail *tail);

/* Before moving up to max bytes out of the pipe from: copy them (by page
 * reference, with tee) to the scratch pipe.  Returns how many, 0 at the
 * end of the pipe, -EAGAIN when it is empty, or another -errno when not
 * peeking: then the move goes ahead unseen. */
long tail_peek(int from, size_t max);

/* After the move: of the peeked bytes, moved went on; keep the last of
 * those and let the scratch pipe go of all of them.  errno is left as the
 * move set it. */
void tail_keep(struct tail *tail, size_t peeked, size_t moved);

/* Bytes that passed through altimer's memory instead. */
void tail_note(struct tail *tail, const char *buf, size_t len);

/* The kept bytes, oldest first, into buf of TAIL_SIZE bytes; returns how
 * many. */
size_t tail_copy(const struct tail *tail, char *buf);

#endif
