/* atomicfile.h - write a file whole or not at all, wherever its name leads
 * (the --report file). */
#ifndef ALTIMER_ATOMICFILE_H
#define ALTIMER_ATOMICFILE_H

#include <stddef.h>

/* A file to be written once, when altimer ends. */
struct atomic_file {
	int spare_fd;		/* held from the start so the file can still be
				 * created when descriptors run out; -1 */
	int output_fd;		/* the descriptor the name stands for
				 * (/dev/stdout, /dev/fd/N), duplicated at the
				 * start; -1 */
	unsigned closed_standard_fds;	/* bit n: fd n was closed when altimer
					 * started (now /dev/null) */
};

#define ATOMIC_FILE_NONE ((struct atomic_file){ .spare_fd = -1, .output_fd = -1 })

/* How long a reader (FIFO, pipe, terminal) may take no byte of the file
 * before altimer gives up on it. */
#define ATOMIC_FILE_STALL_MS 10000

/* Check that a file can be written to path ("-" is standard error)
 * before COMMAND starts, and set a descriptor aside for writing it (or
 * hold the descriptor path names: /dev/stdout, /dev/fd/N).  Returns 0 or
 * -errno (EISDIR for a directory or a name ending in /, ENOENT for a
 * missing directory, EMFILE...). */
int atomic_file_prepare(struct atomic_file *atomic, const char *path);

/* Write text (len bytes) to path: "-" is standard error, a descriptor's
 * name writes to that descriptor (neither waits more than
 * ATOMIC_FILE_STALL_MS for a reader to take a byte).  Otherwise symbolic
 * links are followed to the file itself; a regular file (or a new one) is
 * written under a temporary name in the same directory, with the old
 * file's mode and owner, and renamed over it, so a reader sees all or
 * nothing; anything else (a device, a FIFO) is written into, never
 * replaced.  Returns 0 or -errno; on failure an old regular file is left
 * as it was. */
int atomic_file_save(struct atomic_file *atomic, const char *path, const char *text, size_t len);

#endif
