/* relay.c - passing COMMAND's stdout and stderr through altimer.
 *
 * splice() moves the bytes from COMMAND's pipe to altimer's own stdout or
 * stderr inside the kernel, so nothing is copied through user space and
 * each stream keeps its bytes and their order.  Where the destination
 * cannot splice (a socket, some terminals, a pty on COMMAND's side),
 * read/write takes over, with at most one buffer of bytes waiting.
 *
 * altimer never blocks writing downstream: a terminal or a pipe is reopened
 * through /proc/self/fd, which gives altimer a file description of its own
 * that it can make non-blocking without changing the caller's; a socket is
 * written with MSG_DONTWAIT; a regular file does not stall.  When
 * downstream is full, altimer waits for POLLOUT in the same poll() as its
 * timers and signals. */
#include "config.h"
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "diag.h"
#include "pty.h"
#include "spawn.h"
#include "util.h"

/* A bigger pipe means fewer wake-ups for a chatty command. */
#define RELAY_PIPE_SIZE (1 << 20)
#define RELAY_CHUNK (1 << 20)

/* What one step of moving bytes came to, when it moved none. */
enum step {
	STEP_EOF = 0,		/* COMMAND's side is closed and empty */
	STEP_EMPTY = -1,	/* nothing to read now */
	STEP_FULL = -2,		/* downstream takes nothing now */
	STEP_WRITE_ERROR = -3,	/* downstream failed: *error */
	STEP_READ_ERROR = -4,	/* altimer's own failure: *error */
};

/* 2>&1: both descriptors are one open file description, so one pipe keeps
 * the order in which COMMAND wrote to the two. */
static bool same_description(int a, int b)
{
	struct stat sa, sb;
	long r = syscall(SYS_kcmp, (pid_t)getpid(), (pid_t)getpid(), KCMP_FILE, a, b);

	if (r >= 0)
		return r == 0;
	/* kcmp missing (CONFIG_KCMP) or refused: same file, same flags and
	 * the same offset make two separate openings indistinguishable. */
	if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
		return false;
	if (sa.st_dev != sb.st_dev || sa.st_ino != sb.st_ino)
		return false;
	if (fcntl(a, F_GETFL) != fcntl(b, F_GETFL))
		return false;
	return lseek(a, 0, SEEK_CUR) == lseek(b, 0, SEEK_CUR);
}

/* Where the stream's bytes go, written without ever blocking. */
static void output_setup(struct relay_stream *stream)
{
	/* O_NONBLOCK on the inherited description would change it for
	 * everyone sharing it (the shell, the other commands of a pipeline).
	 * A pipe nobody reads cannot be reopened: writes fail with EPIPE
	 * anyway. */
	int fd = reopen_nonblocking(stream->target, &stream->to_socket);

	if (stream->to_socket)
		stream->no_splice = true;
	if (fd >= 0) {
		stream->to = fd;
		stream->to_private = true;
	}
}

static int stream_open(struct relay_stream *stream, enum relay_pty mode)
{
	int fds[2];
	int r;

	stream->pty = mode == RELAY_PTY_ALWAYS ||
		      (mode == RELAY_PTY_AUTO && isatty(stream->target));
	if (stream->pty && (r = pty_open(&fds[0], &fds[1])) < 0) {
		/* No ptys here (a container without /dev/pts): auto makes do
		 * with a pipe; always was asked for and fails. */
		if (mode == RELAY_PTY_ALWAYS)
			return r;
		stream->pty = false;
	}
	if (stream->pty) {
		stream->no_splice = true; /* splice needs a pipe on one side */
		stream->size_from = isatty(stream->target) ? stream->target
				    : isatty(STDIN_FILENO) ? STDIN_FILENO : -1;
		(void)pty_copy_size(stream->size_from, fds[0], &stream->size);
	} else {
		if (pipe2(fds, O_CLOEXEC) < 0)
			return -errno;
		(void)fcntl(fds[0], F_SETPIPE_SZ, RELAY_PIPE_SIZE);
		(void)fcntl(fds[0], F_SETFL, O_NONBLOCK);
		/* When the output is a pipe too, a pipe as big as COMMAND's
		 * halves the round trips through poll; the reader downstream
		 * sees the same bytes either way. */
		struct stat st;
		if (fstat(stream->target, &st) == 0 && S_ISFIFO(st.st_mode) &&
		    fcntl(stream->target, F_GETPIPE_SZ) < RELAY_PIPE_SIZE)
			(void)fcntl(stream->target, F_SETPIPE_SZ, RELAY_PIPE_SIZE);
	}
	stream->from = fds[0];
	stream->child_end = fds[1];
	output_setup(stream);
	/* Without a tail (descriptors short) the snapshot lacks it, no more. */
	(void)tail_open(&stream->tail);
	return 0;
}

int relay_open(struct relay *relay, enum relay_pty mode, int verbose)
{
	int r;

	relay->verbose = verbose;
	relay->merged = same_description(STDOUT_FILENO, STDERR_FILENO);
	for (int i = 0; i < 2; i++) {
		struct relay_stream *stream = &relay->streams[i];
		*stream = (struct relay_stream){
			.from = -1, .child_end = -1, .target = i + 1, .to = i + 1,
			.size_from = -1,
		};
		if (i == 1 && relay->merged)
			continue; /* stderr shares stdout's pipe */
		if ((r = stream_open(stream, mode)) < 0)
			return r;
	}
	relay->active = true;
	return 0;
}

bool relay_uses_pty(const struct relay *relay)
{
	return relay->active && (relay->streams[0].pty || relay->streams[1].pty);
}

/* Run by COMMAND's shared start (spawn_shared), on a stack the sanitizers
 * do not know: uninstrumented. */
__attribute__((no_sanitize("address"), no_sanitize("undefined"))) void
relay_child_setup(const struct relay *relay)
{
	if (!relay->active)
		return;
	/* dup2 clears close-on-exec on the new descriptor. */
	(void)dup2(relay->streams[0].child_end, STDOUT_FILENO);
	(void)dup2(relay->streams[relay->merged ? 0 : 1].child_end, STDERR_FILENO);
}

void relay_parent_setup(struct relay *relay)
{
	for (int i = 0; relay->active && i < 2; i++) {
		close_quietly(relay->streams[i].child_end);
		relay->streams[i].child_end = -1;
	}
}

void relay_poll_fds(const struct relay *relay, struct pollfd fds[RELAY_POLL_MAX])
{
	for (int i = 0; i < 2; i++) {
		const struct relay_stream *stream = &relay->streams[i];
		struct pollfd *data = &fds[2 * i], *watch = &fds[2 * i + 1];

		/* poll() skips a negative descriptor: a closed stream. */
		*data = *watch = (struct pollfd){ .fd = -1 };
		if (!relay->active || stream->from < 0)
			continue;
		if (stream->output_full) {
			*data = (struct pollfd){ .fd = stream->to, .events = POLLOUT };
			continue;
		}
		*data = (struct pollfd){ .fd = stream->from, .events = POLLIN };
		if (stream->reader_gone)
			continue;
		/* No events: only POLLERR/POLLHUP, which say the reader has gone,
		 * so COMMAND's next write fails now, not one write later. */
		*watch = (struct pollfd){ .fd = stream->to, .events = 0 };
	}
}

/* COMMAND's side is done (EOF) or downstream is (a write error): close our
 * read end, so COMMAND's next write sees the broken pipe it would have
 * seen without altimer.  At EOF on stdout, altimer's own stdout is closed
 * too, so the reader downstream sees the end now, not when altimer exits. */
static void stream_close(struct relay_stream *stream, bool end_of_file)
{
	close_quietly(stream->from);
	stream->from = -1;
	stream->output_full = false;
	stream->pending_start = stream->pending_end = 0;
	if (stream->to_private) {
		close_quietly(stream->to);
		stream->to_private = false;
		stream->to = stream->target;
	}
	if (end_of_file && stream->target == STDOUT_FILENO) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null >= 0) {
			(void)dup2(null, STDOUT_FILENO);
			close_quietly(null);
		}
	}
}

static const char *stream_name(const struct relay *relay, const struct relay_stream *stream)
{
	if (relay->merged)
		return "stdout and stderr";
	return stream->target == STDOUT_FILENO ? "stdout" : "stderr";
}

/* Downstream failed (ENOSPC, EIO, the reader gone): COMMAND learns it at
 * its next write, as it would have without altimer, and altimer stops
 * trying instead of spinning. */
static void stream_failed(struct relay *relay, struct relay_stream *stream, int error)
{
	stream->write_error = error;
	/* A pty cannot fail a write with EPIPE: once its master is closed
	 * the command's writes fail with EIO instead ("yes: Input/output
	 * error").  It gets the SIGPIPE a pipe would have raised for that
	 * write, before the master closes (relay_end_broken): a signal
	 * pending when the write fails is acted on first. */
	if (stream->pty && error == EPIPE) {
		relay->broken_pipe = true;
		stream->reader_gone = true;
		stream->pending_start = stream->pending_end = 0;
		return;
	}
	if (relay->verbose >= 2) {
		if (error == EPIPE)
			diag("the reader of the command's %s went away; closing its pipe",
			     stream_name(relay, stream));
		else
			diag("cannot pass on the command's %s: %s; closing its pipe",
			     stream_name(relay, stream), strerror(error));
	}
	stream_close(stream, false);
}

/* Write the bytes waiting in the buffer: 1 once all went, 0 when
 * downstream is full, or -errno. */
static int flush_pending(struct relay_stream *stream)
{
	while (stream->pending_start < stream->pending_end) {
		const char *at = stream->buffer + stream->pending_start;
		size_t len = stream->pending_end - stream->pending_start;
		ssize_t n = stream->to_socket
				    ? send(stream->to, at, len, MSG_DONTWAIT | MSG_NOSIGNAL)
				    : write(stream->to, at, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		stream->pending_start += (size_t)n;
	}
	stream->pending_start = stream->pending_end = 0;
	return 1;
}

/* read/write, for what does not splice. */
static long copy_some(struct relay_stream *stream, int *error)
{
	ssize_t n = read_retry(stream->from, stream->buffer, sizeof stream->buffer);
	int r;

	if (n == 0)
		return STEP_EOF;
	if (n == -EAGAIN)
		return STEP_EMPTY;
	/* A pty master reads EIO once every slave is closed. */
	if (n == -EIO && stream->pty)
		return STEP_EOF;
	if (n < 0) {
		*error = (int)-n;
		return STEP_READ_ERROR;
	}
	tail_note(&stream->tail, stream->buffer, (size_t)n);
	stream->pending_start = 0;
	stream->pending_end = (size_t)n;
	r = flush_pending(stream);
	if (r < 0) {
		*error = -r;
		return STEP_WRITE_ERROR;
	}
	if (r == 0)
		stream->output_full = true;
	return n; /* taken from COMMAND: a sign of life */
}

/* One step: the bytes moved (> 0), or an enum step. */
static long step(struct relay_stream *stream, int *error)
{
	if (stream->pending_end > stream->pending_start) {
		size_t before = stream->pending_end - stream->pending_start;
		int r = flush_pending(stream);
		if (r < 0) {
			*error = -r;
			return STEP_WRITE_ERROR;
		}
		if (r == 0) {
			size_t moved = before - (stream->pending_end - stream->pending_start);
			stream->output_full = true;
			return moved > 0 ? (long)moved : STEP_FULL;
		}
		return (long)before;
	}
	while (!stream->no_splice) {
		/* Seen first (tee), so the snapshot has the last bytes moved. */
		long peeked = tail_peek(stream->from, RELAY_CHUNK);
		if (peeked == 0)
			return STEP_EOF;
		if (peeked == -EAGAIN)
			return STEP_EMPTY;
		ssize_t n = splice(stream->from, NULL, stream->to, NULL,
				   peeked > 0 ? (size_t)peeked : RELAY_CHUNK,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		tail_keep(&stream->tail, peeked > 0 ? (size_t)peeked : 0, n > 0 ? (size_t)n : 0);
		if (n > 0)
			return n;
		if (n == 0)
			return STEP_EOF;
		if (errno == EINTR)
			continue;
		if (errno == EINVAL) {
			stream->no_splice = true; /* the destination cannot splice */
			break;
		}
		if (errno == EAGAIN) {
			/* Either COMMAND's pipe is empty, or the output is full. */
			struct pollfd probe = { .fd = stream->from, .events = POLLIN };
			if (poll(&probe, 1, 0) > 0 && (probe.revents & POLLIN)) {
				stream->output_full = true;
				return STEP_FULL;
			}
			return STEP_EMPTY;
		}
		*error = errno;
		return STEP_WRITE_ERROR;
	}
	return copy_some(stream, error);
}

/* Move what is ready on one stream.  Returns the bytes moved, or -errno on
 * a failure of altimer's own. */
static long pump(struct relay *relay, struct relay_stream *stream)
{
	long moved = 0;
	int error = 0;

	stream->output_full = false;
	/* Bounded, so a command that never stops writing cannot starve the
	 * timers and signals. */
	while (stream->from >= 0 && moved < 16 * RELAY_CHUNK) {
		long n = step(stream, &error);
		if (n > 0) {
			moved += n;
			if (stream->output_full)
				break;
			continue;
		}
		if (n == STEP_EOF)
			stream_close(stream, true);
		else if (n == STEP_WRITE_ERROR)
			stream_failed(relay, stream, error);
		else if (n == STEP_READ_ERROR && moved == 0)
			return -error;
		break;
	}
	return moved;
}

long relay_handle(struct relay *relay, const struct pollfd fds[RELAY_POLL_MAX])
{
	long total = 0;

	for (int i = 0; relay->active && i < 2; i++) {
		struct relay_stream *stream = &relay->streams[i];
		short data = fds[2 * i].revents, watch = fds[2 * i + 1].revents;

		if (stream->from < 0 || fds[2 * i].fd < 0)
			continue;
		if (stream->output_full) {
			/* data is `to`: writable again, or failed */
			watch = data & (POLLERR | POLLHUP | POLLNVAL);
			data &= POLLOUT;
		}
		/* A pipe's reader gone: closing the command's pipe now makes its
		 * next write fail as without altimer.  A pty's write cannot
		 * fail so: that next write is waited for, and fails here. */
		if ((watch & (POLLERR | POLLHUP)) && stream->pty && !isatty(stream->to)) {
			stream->reader_gone = true;
			watch = 0;
			/* Bytes already waiting are that next write. */
			if (stream->output_full)
				data = POLLOUT;
		}
		if (watch & (POLLERR | POLLHUP | POLLNVAL)) {
			stream_failed(relay, stream, (watch & POLLNVAL) ? EBADF
						     : isatty(stream->to) ? EIO : EPIPE);
			continue;
		}
		if (!data)
			continue;
		/* There is no notice of a resize for altimer when COMMAND has the
		 * terminal's foreground: look when it writes. */
		if (stream->pty && pty_copy_size(stream->size_from, stream->from, &stream->size))
			relay->size_changed = true;
		long n = pump(relay, stream);
		if (n < 0)
			return n;
		total += n;
	}
	return total;
}

void relay_end_broken(struct relay *relay)
{
	relay->broken_pipe = false;
	for (int i = 0; relay->active && i < 2; i++) {
		struct relay_stream *stream = &relay->streams[i];
		if (stream->from >= 0 && stream->pty && stream->write_error == EPIPE)
			stream_close(stream, false);
	}
}

bool relay_blocked(const struct relay *relay)
{
	for (int i = 0; relay->active && i < 2; i++)
		if (relay->streams[i].from >= 0 && relay->streams[i].output_full)
			return true;
	return false;
}

void relay_window_changed(struct relay *relay)
{
	for (int i = 0; relay->active && i < 2; i++) {
		struct relay_stream *stream = &relay->streams[i];
		if (stream->pty && stream->from >= 0 &&
		    pty_copy_size(stream->size_from, stream->from, &stream->size))
			relay->size_changed = true;
	}
}

void relay_drain(struct relay *relay)
{
	for (int i = 0; relay->active && i < 2; i++) {
		struct relay_stream *stream = &relay->streams[i];
		/* Downstream may have room again even if it was full. */
		while (stream->from >= 0 && pump(relay, stream) > 0 && !stream->output_full)
			;
	}
}

static bool relay_open_streams(const struct relay *relay)
{
	for (int i = 0; relay->active && i < 2; i++)
		if (relay->streams[i].from >= 0)
			return true;
	return false;
}

/* In the keeper: altimer's standard descriptors that no open stream
 * writes to become /dev/null (not closed: a number left free would be
 * taken by the next descriptor opened and then written to as stdout). */
static void release_standard_fds(const struct relay *relay, int null)
{
	bool used[3] = { false, false, false };

	for (int i = 0; i < 2; i++) {
		const struct relay_stream *stream = &relay->streams[i];
		if (stream->from >= 0 && !stream->to_private)
			used[stream->to] = true;
	}
	for (int fd = 0; fd <= 2 && null >= 0; fd++)
		if (!used[fd])
			(void)dup2(null, fd);
}

/* The keeper: relays until every stream has ended, then exits.  It has no
 * timer and no signal of its own: the caller's Ctrl-C or TERM ends it as it
 * would end a `cat` in the pipeline, and what the caller ignored (nohup's
 * HUP, a background job's INT) it ignores too.  It holds nothing of the
 * caller's but the streams it still relays: a `$(...)` capture of the
 * other stream, or a writer into altimer's stdin, sees its end when
 * altimer exits, not when the last late writer does. */
static _Noreturn void keeper(struct relay *relay, int null)
{
	/* diag()'s own descriptor of stderr is closed with the rest. */
	relay->verbose = 0;
	while (relay_open_streams(relay)) {
		struct pollfd fds[RELAY_POLL_MAX];

		release_standard_fds(relay, null);
		relay_poll_fds(relay, fds);
		if (poll(fds, RELAY_POLL_MAX, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (relay_handle(relay, fds) < 0)
			break;
		/* Late writers are not altimer's to signal. */
		relay_end_broken(relay);
	}
	_exit(0);
}

void relay_hand_over(struct relay *relay, const struct signal_restore *restore)
{
	int keep[5], count = 0, null;
	sigset_t empty;
	pid_t pid;

	relay_drain(relay);
	if (!relay_open_streams(relay))
		return;
	for (int i = 0; i < 2; i++) {
		struct relay_stream *stream = &relay->streams[i];
		if (stream->from < 0)
			continue;
		keep[count++] = stream->from;
		if (stream->to_private)
			keep[count++] = stream->to;
	}
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	keep[count++] = null;
	sigemptyset(&empty);
	fflush(NULL);
	/* The caller's dispositions and no mask: see keeper(). */
	pid = spawn_fork(&(struct spawn_options){
		.name = "altimer-relay", .keep = keep, .keep_count = count,
		.restore = restore, .mask = &empty });
	if (pid == 0)
		keeper(relay, null);
	close_quietly(null);
	if (pid < 0 && relay->verbose >= 2)
		diag_errno(-pid, "cannot keep relaying the command's output");
	/* altimer's copies go: the keeper (if any) holds the streams now. */
	for (int i = 0; i < 2; i++) {
		struct relay_stream *stream = &relay->streams[i];
		if (stream->from < 0)
			continue;
		close_quietly(stream->from);
		stream->from = -1;
		if (stream->to_private)
			close_quietly(stream->to);
		stream->to_private = false;
	}
}
