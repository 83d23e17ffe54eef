/* relay.h - passing COMMAND's stdout and stderr through altimer, so that any
 * output is a sign of life for the keepalive. */
#ifndef ALTIMER_RELAY_H
#define ALTIMER_RELAY_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "tail.h"

struct relay_stream {
	int from;		/* read end of COMMAND's pipe, -1 once closed */
	int child_end;		/* write end, for COMMAND's fd `to`; -1 after fork */
	int to;			/* altimer's own 1 or 2 */
	bool output_full;	/* wait for `to` to take more before reading */
	struct tail tail;	/* the last bytes moved, for the snapshot */
};

struct relay {
	struct relay_stream streams[2];
	bool active;
};

/* Create the pipes.  Returns 0 or -errno. */
int relay_open(struct relay *relay);

/* In COMMAND, between fork and exec: make the pipes its stdout and stderr. */
void relay_child_setup(const struct relay *relay);

/* In altimer, after fork: close the child's ends. */
void relay_parent_setup(struct relay *relay);

/* What to wait for on stdout (fds[0]) and stderr (fds[1]); a stream with
 * nothing to wait for gets fd -1. */
void relay_poll_fds(const struct relay *relay, struct pollfd fds[2]);

/* Move what is ready on stream i.  Returns the bytes moved (> 0 is a sign of
 * life), 0 when nothing moved, or -errno on a failure of altimer's own. */
long relay_pump(struct relay *relay, int i, short revents);

/* After COMMAND has ended: pass on whatever is already in the pipes. */
void relay_drain(struct relay *relay);

#endif
