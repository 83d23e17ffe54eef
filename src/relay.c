/* relay.c - passing COMMAND's stdout and stderr through altimer.
 *
 * splice() moves the bytes from COMMAND's pipe to altimer's own stdout or
 * stderr inside the kernel, so nothing is copied through user space and
 * nothing is buffered in altimer: each stream keeps its bytes and their
 * order.  Where the destination cannot splice (some terminals), read/write
 * takes over.  SPLICE_F_NONBLOCK keeps a slow reader downstream from
 * blocking the loop; altimer then waits for POLLOUT instead. */
#include "config.h"
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* A bigger pipe means fewer wake-ups for a chatty command. */
#define RELAY_PIPE_SIZE (1 << 20)
#define RELAY_CHUNK (1 << 20)

int relay_open(struct relay *relay)
{
	for (int i = 0; i < 2; i++) {
		int fds[2];
		if (pipe2(fds, O_CLOEXEC) < 0)
			return -errno;
		(void)fcntl(fds[0], F_SETPIPE_SZ, RELAY_PIPE_SIZE);
		(void)fcntl(fds[0], F_SETFL, O_NONBLOCK);
		relay->streams[i] = (struct relay_stream){
			.from = fds[0], .child_end = fds[1], .to = i + 1,
		};
		(void)tail_open(&relay->streams[i].tail);
		/* When the output is a pipe too, a pipe as big as COMMAND's
		 * halves the round trips through poll; the reader downstream
		 * sees the same bytes either way. */
		struct stat st;
		if (fstat(i + 1, &st) == 0 && S_ISFIFO(st.st_mode) &&
		    fcntl(i + 1, F_GETPIPE_SZ) < RELAY_PIPE_SIZE)
			(void)fcntl(i + 1, F_SETPIPE_SZ, RELAY_PIPE_SIZE);
	}
	relay->active = true;
	return 0;
}

void relay_child_setup(const struct relay *relay)
{
	if (!relay->active)
		return;
	/* dup2 clears close-on-exec on the new descriptor. */
	(void)dup2(relay->streams[0].child_end, STDOUT_FILENO);
	(void)dup2(relay->streams[1].child_end, STDERR_FILENO);
}

void relay_parent_setup(struct relay *relay)
{
	for (int i = 0; relay->active && i < 2; i++) {
		close_quietly(relay->streams[i].child_end);
		relay->streams[i].child_end = -1;
	}
}

void relay_poll_fds(const struct relay *relay, struct pollfd fds[2])
{
	for (int i = 0; i < 2; i++) {
		const struct relay_stream *stream = &relay->streams[i];

		/* poll() skips a negative descriptor: a closed stream. */
		if (!relay->active || stream->from < 0)
			fds[i] = (struct pollfd){ .fd = -1 };
		else if (stream->output_full)
			fds[i] = (struct pollfd){ .fd = stream->to, .events = POLLOUT };
		else
			fds[i] = (struct pollfd){ .fd = stream->from, .events = POLLIN };
	}
}

/* COMMAND's side is done (EOF) or downstream has gone away (EPIPE): close
 * our read end, so COMMAND's next write sees the broken pipe it would have
 * seen without altimer.  At EOF on stdout, altimer's own stdout is closed
 * too, so the reader downstream sees the end now, not when altimer exits. */
static void stream_close(struct relay_stream *stream, bool end_of_file)
{
	close_quietly(stream->from);
	stream->from = -1;
	if (end_of_file && stream->to == STDOUT_FILENO) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null >= 0) {
			(void)dup2(null, STDOUT_FILENO);
			close_quietly(null);
		}
	}
}

/* read/write fallback for destinations that do not splice. */
static long copy_some(struct relay_stream *stream)
{
	char buf[65536];
	ssize_t n = read_retry(stream->from, buf, sizeof buf);
	int r;

	if (n <= 0)
		return n;
	tail_note(&stream->tail, buf, (size_t)n);
	r = write_all(stream->to, buf, (size_t)n);
	return r < 0 ? r : n;
}

/* One splice (or read/write): bytes moved, 0 at EOF, or -errno. */
static long move_once(struct relay_stream *stream)
{
	for (;;) {
		/* Seen first, so the snapshot has the last bytes moved. */
		long peeked = tail_peek(&stream->tail, stream->from, RELAY_CHUNK);
		if (peeked == 0 || peeked == -EAGAIN)
			return peeked;
		ssize_t n = splice(stream->from, NULL, stream->to, NULL,
				   peeked > 0 ? (size_t)peeked : RELAY_CHUNK,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		tail_keep(&stream->tail, peeked > 0 ? (size_t)peeked : 0, n > 0 ? (size_t)n : 0);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno == EINVAL)
			return copy_some(stream); /* destination cannot splice */
		return -errno;
	}
}

long relay_pump(struct relay *relay, int i, short revents)
{
	struct relay_stream *stream = &relay->streams[i];
	long moved = 0;

	if (stream->from < 0)
		return 0;
	if (stream->output_full) {
		if (revents & (POLLERR | POLLHUP)) {
			stream_close(stream, false);
			return 0;
		}
		stream->output_full = false;
	}
	/* Bounded, so a command that never stops writing cannot starve the
	 * timers and signals. */
	while (moved < 16 * RELAY_CHUNK) {
		long n = move_once(stream);
		if (n > 0) {
			moved += n;
			continue;
		}
		if (n == 0) {
			stream_close(stream, true);
		} else if (n == -EAGAIN) {
			/* Either COMMAND's pipe is empty, or the output is full. */
			struct pollfd probe = { .fd = stream->from, .events = POLLIN };
			if (poll(&probe, 1, 0) > 0 && (probe.revents & POLLIN))
				stream->output_full = true;
		} else if (n == -EPIPE) {
			stream_close(stream, false);
		} else if (moved == 0) {
			return n;
		}
		break;
	}
	return moved;
}

void relay_drain(struct relay *relay)
{
	for (int i = 0; relay->active && i < 2; i++) {
		struct relay_stream *stream = &relay->streams[i];
		/* A background process of COMMAND's may keep the pipe open: take
		 * what is there now and stop. */
		while (stream->from >= 0) {
			long n = relay_pump(relay, i, 0);
			if (stream->output_full) {
				/* A slow reader downstream: wait for it, as COMMAND
				 * itself would have. */
				struct pollfd out = { .fd = stream->to, .events = POLLOUT };
				(void)poll(&out, 1, -1);
				continue;
			}
			if (n <= 0)
				break;
		}
		if (stream->from >= 0)
			stream_close(stream, false);
	}
}
