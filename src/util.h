/* util.h - small system-call helpers that handle EINTR and short I/O once. */
#ifndef ALTIMER_UTIL_H
#define ALTIMER_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>
#include <time.h>

/* Write all of buf, retrying on EINTR and short writes.
 * Returns 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);

/* read() that retries on EINTR.  Returns bytes read or -errno. */
ssize_t read_retry(int fd, void *buf, size_t len);

/* A small file in full, name taken relative to dir_fd (or AT_FDCWD):
 * at most size - 1 bytes, always NUL-terminated.  Returns the length or
 * -errno. */
ssize_t read_small_at(int dir_fd, const char *name, char *buf, size_t size);

/* A file of any size in full, name taken relative to dir_fd (or
 * AT_FDCWD), into a NUL-terminated *text the caller frees.  Returns the
 * length, or -errno with *text NULL. */
ssize_t read_all_at(int dir_fd, const char *name, char **text);

/* The same from fd's offset to its end. */
ssize_t read_all_fd(int fd, char **text);

/* The time on clock, in nanoseconds: the one clock reader of altimer.
 * CLOCK_MONOTONIC is the clock of its own bookkeeping (the report's times,
 * the hook's limit); CLOCK_BOOTTIME counts as /proc's start times do. */
uint64_t clock_ns(clockid_t clock);

/* Text for the default path, without printf's code: snprintf would map
 * pages of libc that cost every run memory GNU timeout does not spend
 * (bench/run's peak RSS).  The decimal digits of value at buf, which has
 * room for 21 bytes; returns the terminating NUL's address. */
char *format_uint(char *buf, unsigned long long value);

/* The strings up to a NULL, one after the other, in buf of size bytes
 * (cut to fit, always NUL-terminated).  Returns the length they have
 * together, as snprintf does. */
size_t join(char *buf, size_t size, ...) __attribute__((sentinel));

/* close() that preserves errno and ignores a negative fd. */
void close_quietly(int fd);

/* RLIMIT_NOFILE's soft limit (ULLONG_MAX when unknown), asked once. */
unsigned long long descriptor_limit(void);

/* Whether RLIMIT_NOFILE is below 32: what the command needs (its pipes,
 * the signalfd, the pidfd, the tree walk's reserve) comes first, and
 * descriptors only for speed (the cgroup's, a held /proc file) are not
 * taken. */
bool few_descriptors(void);

/* Where a write to fd could block (a pipe, a FIFO, a terminal): a new,
 * private description of the same file with O_NONBLOCK, so altimer never
 * waits on it while the description the caller shares stays as it was.
 * Returns it, or -1: a file or device that does not stall, a socket
 * (*socket is then set: use send() with MSG_DONTWAIT), or a reopen that
 * failed (ENXIO for a pipe nobody reads). */
int reopen_nonblocking(int fd, bool *socket);

/* In a process that lives on without exec (relay keeper, guardian): close
 * every descriptor from 3 up except the count in keep (sorted in place;
 * negative ones ignored), with close_range() where the kernel has it.
 * System calls only: the guardian calls it in altimer's memory. */
void close_all_but(int *keep, int count);

/* Dispositions altimer changed for itself, and the caller's, to give back
 * in every process it starts. */
struct signal_restore {
	const int *signals;		/* 0-terminated */
	const struct sigaction *actions;
};

/* In a new process of altimer's (COMMAND before its exec, the relay
 * keeper): the caller's dispositions back, the mask left as it is.
 * Async-signal-safe. */
void dispositions_restore(const struct signal_restore *restore);

#endif
