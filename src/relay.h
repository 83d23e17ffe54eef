/* relay.h - passing COMMAND's stdout and stderr through altimer, so that any
 * output is a sign of life for the keepalive. */
#ifndef ALTIMER_RELAY_H
#define ALTIMER_RELAY_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/ioctl.h>

#include "tail.h"
#include "util.h"

/* --pty: when the command's output goes to a pseudo-terminal. */
enum relay_pty {
	RELAY_PTY_AUTO,		/* for a stream whose destination is a terminal */
	RELAY_PTY_ALWAYS,
	RELAY_PTY_NEVER,
};

#define RELAY_BUFFER 65536

struct relay_stream {
	int from;		/* pipe read end or pty master, -1 once closed */
	int child_end;		/* pipe write end or pty slave; -1 after fork */
	int target;		/* altimer's own 1 or 2 */
	int to;			/* target, or a private non-blocking reopening of it */
	bool to_private;	/* to is ours to close */
	bool to_socket;		/* written with send(MSG_DONTWAIT) */
	bool no_splice;		/* read/write instead of splice */
	bool pty;		/* from is a pty master */
	bool output_full;	/* bytes wait for `to` to take them */
	bool reader_gone;	/* pty: downstream hung up; the next write finds it */
	int write_error;	/* errno that ended the stream downstream, or 0 */
	int size_from;		/* terminal whose window size the pty copies, or -1 */
	struct winsize size;	/* last window size given to the pty */
	size_t pending_start, pending_end;	/* unwritten bytes in buffer */
	char buffer[RELAY_BUFFER];
	struct tail tail;	/* the last bytes moved, for the snapshot */
};

struct relay {
	bool active;
	bool merged;		/* stdout and stderr share one pipe (2>&1) */
	bool size_changed;	/* a pty's window size changed: tell COMMAND */
	bool broken_pipe;	/* a pty's reader went away: COMMAND gets SIGPIPE */
	int verbose;		/* -vv says why a stream ended */
	/* Last: the buffers take altimer's memory only under a relay. */
	struct relay_stream streams[2];
};

/* Create the pipes (or ptys, per mode).  Returns 0 or -errno. */
int relay_open(struct relay *relay, enum relay_pty mode, int verbose);

/* Whether any stream goes through a pty (altimer then reads SIGWINCH). */
bool relay_uses_pty(const struct relay *relay);

/* In COMMAND, between fork and exec: make the pipes its stdout and stderr. */
void relay_child_setup(const struct relay *relay);

/* In altimer, after fork: close the child's ends. */
void relay_parent_setup(struct relay *relay);

/* pollfd entries of the relay: for stdout then stderr, the data (COMMAND's
 * side, or downstream while it is full) and a watch on downstream. */
#define RELAY_POLL_MAX 4

/* What to wait for; an entry with nothing to wait for gets fd -1. */
void relay_poll_fds(const struct relay *relay, struct pollfd fds[RELAY_POLL_MAX]);

/* Act on what poll() reported in the entries relay_poll_fds filled.
 * Returns the bytes moved (> 0 is a sign of life), or -errno on a failure
 * of altimer's own. */
long relay_handle(struct relay *relay, const struct pollfd fds[RELAY_POLL_MAX]);

/* After broken_pipe was set and COMMAND got its SIGPIPE: close the ptys
 * whose reader went away. */
void relay_end_broken(struct relay *relay);

/* Bytes wait for a reader downstream that does not take them: COMMAND is
 * held up by back-pressure, which is not silence. */
bool relay_blocked(const struct relay *relay);

/* Copy the window size of altimer's terminal to the ptys (SIGWINCH). */
void relay_window_changed(struct relay *relay);

/* After COMMAND has ended: pass on what can be passed on now, without
 * waiting. */
void relay_drain(struct relay *relay);

/* After the clean-up: when late writers of the tree still hold the pipes,
 * or the reader downstream is not taking the rest yet, a small process of
 * altimer's carries on relaying until the end, so altimer itself can exit
 * when COMMAND has, as GNU timeout does. */
void relay_hand_over(struct relay *relay, const struct signal_restore *restore);

#endif
