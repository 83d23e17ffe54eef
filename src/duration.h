/* duration.h - parsing DURATION operands into nanoseconds. */
#ifndef ALTIMER_DURATION_H
#define ALTIMER_DURATION_H

#include <stdint.h>
#include <time.h>

/* "No deadline": what 0, inf and out-of-range values become. */
#define DURATION_NONE UINT64_MAX

/* Parse a duration: a GNU timeout interval (a floating-point number with an
 * optional unit s, m, h or d), the units ms, us and ns, compound forms such
 * as "1h30m" or "2m30.5s", and "inf".  0 means no deadline (DURATION_NONE);
 * a positive value too small for a nanosecond, even one too small for a
 * float (1e-10000), becomes 1 ns, as in GNU 9.11; a value too large for the
 * clock saturates to DURATION_NONE.  Returns 0 or -EINVAL. */
int duration_parse(const char *text, uint64_t *nanoseconds);

/* The same grammar for a delay between two steps, where 0 means "at once"
 * rather than "never": 0 stays 0. */
int duration_parse_delay(const char *text, uint64_t *nanoseconds);

/* Convert to a relative timespec (only for values other than NONE). */
struct timespec duration_to_timespec(uint64_t nanoseconds);

/* Format for humans ("1.5s", "2h"), into buf of at least 32 bytes. */
const char *duration_format(uint64_t nanoseconds, char *buf, size_t size);

/* A timespec (CLOCK_* readings, timer values) in nanoseconds. */
static inline uint64_t timespec_to_ns(struct timespec ts)
{
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
