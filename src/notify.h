/* notify.h - the sd_notify protocol, served to COMMAND on a private socket. */
#ifndef ALTIMER_NOTIFY_H
#define ALTIMER_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct notify {
	int fd;			/* datagram socket, -1 when not in use */
	char path[64];		/* its abstract name, '@' first: NOTIFY_SOCKET */
	bool ready;		/* READY=1 seen */
	char status[256];	/* last STATUS= */
};

/* What a datagram asked for. */
struct notify_message {
	bool watchdog;		/* WATCHDOG=1: a sign of life */
	bool trigger;		/* WATCHDOG=trigger: time out now */
	bool ready;		/* READY=1 */
	bool has_status;	/* STATUS=... (copied into struct notify) */
	uint64_t watchdog_usec;	/* WATCHDOG_USEC=, 0 if absent */
	uint64_t extend_usec;	/* EXTEND_TIMEOUT_USEC=, 0 if absent */
	int understood;		/* lines acted on or known to mean nothing */
	int ignored;		/* malformed lines skipped (no '=', bad value) */
};

/* Create the socket, in the abstract namespace, and set NOTIFY_SOCKET for
 * COMMAND.  Returns 0 or -errno. */
int notify_open(struct notify *notify);

/* Parse one datagram (KEY=VALUE lines) line by line, as systemd does:
 * unknown keys are ignored, and so is a malformed line (no '=', or a value
 * that does not parse) without dropping the others.  Returns how many
 * lines were malformed, or -EINVAL for a datagram refused whole (too long,
 * or holding a NUL byte). */
int notify_parse(const char *data, size_t size, struct notify_message *message,
		 char *status, size_t status_size);

/* Receive one datagram from a process of the same user.  Returns 1 when a
 * message was read into *message (message->ignored counts its malformed
 * lines), 0 when none is waiting, -EINVAL (with a reason in *why) for one
 * that was ignored whole (nothing in it was understood), or -errno. */
int notify_receive(struct notify *notify, struct notify_message *message,
		   const char **why);

/* Close the socket (idempotent). */
void notify_close(struct notify *notify);

#endif
