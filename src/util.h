/* util.h - small system-call helpers that handle EINTR and short I/O once. */
#ifndef ALTIMER_UTIL_H
#define ALTIMER_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Write all of buf, retrying on EINTR and short writes.
 * Returns 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);

/* read() that retries on EINTR.  Returns bytes read or -errno. */
ssize_t read_retry(int fd, void *buf, size_t len);

/* close() that preserves errno and ignores a negative fd. */
void close_quietly(int fd);

#endif
