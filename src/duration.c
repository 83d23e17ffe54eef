/* duration.c - parsing DURATION operands into nanoseconds.
 *
 * A single number follows GNU timeout exactly: strtold's grammar (so "1e3",
 * hex floats, "inf" and leading blanks are accepted, as GNU accepts them), in
 * the C locale or the user's, and one optional unit.  altimer adds sub-second units and compound forms, whose
 * parts after the first must be plain decimal numbers, each with a unit. */
#include "config.h"
#include "duration.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Beyond ~146 years a deadline is not a deadline; saturating here also keeps
 * every later addition of nanoseconds far from overflow. */
#define DURATION_CEILING ((long double)(UINT64_C(1) << 62))

static const struct unit {
	const char *name;
	long double nanoseconds;
} units[] = {
	/* Two-letter units first so "ms" is not read as "m" + garbage. */
	{ "ns", 1.0L },
	{ "us", 1e3L },
	{ "ms", 1e6L },
	{ "s", 1e9L },
	{ "m", 60e9L },
	{ "h", 3600e9L },
	{ "d", 86400e9L },
};

/* strtold as GNU's cl_strtod reads a DURATION: in the C locale, and in the
 * user's LC_NUMERIC too ("1,5" in a German locale), whichever reads more.
 * Both are private locale objects, made once, so the answer does not depend
 * on whether anything in altimer called setlocale. */
static long double strtold_c_or_user(const char *text, char **end)
{
	static locale_t c, user;
	static bool made;
	long double value, user_value;
	char *user_end;
	int c_errno;

	if (c == (locale_t)0)
		c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	value = c != (locale_t)0 ? strtold_l(text, end, c) : strtold(text, end);
	/* No locale's decimal point is a letter (a unit) or a space: the
	 * user's locale, loaded from a file, is read only when it could
	 * read more. */
	if (**end == '\0' || isalpha((unsigned char)**end) || isspace((unsigned char)**end))
		return value;
	if (!made) {
		made = true;
		user = newlocale(LC_NUMERIC_MASK, "", (locale_t)0);
	}
	if (user == (locale_t)0)
		return value;
	c_errno = errno;
	errno = 0;
	user_value = strtold_l(text, &user_end, user);
	if (user_end > *end) {
		*end = user_end;
		return user_value;
	}
	errno = c_errno;
	return value;
}

static const struct unit *unit_at(const char *p, const char **end)
{
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		size_t len = strlen(units[i].name);
		if (strncmp(p, units[i].name, len) == 0) {
			*end = p + len;
			return &units[i];
		}
	}
	return NULL;
}

/* The grammar, shared by both readings of 0. */
static int parse_total(const char *text, long double *result)
{
	const char *p = text;
	long double total = 0.0L;
	int parts = 0;

	if (text == NULL || *text == '\0')
		return -EINVAL;

	while (*p != '\0') {
		char *number_end;
		const char *unit_end;
		const struct unit *unit;
		long double value;

		/* Only the first part may use strtold's full grammar. */
		if (parts > 0 && !isdigit((unsigned char)*p) && *p != '.')
			return -EINVAL;

		errno = 0;
		value = parts == 0 ? strtold_c_or_user(p, &number_end) : strtold(p, &number_end);
		if (number_end == p || isnan(value))
			return -EINVAL;
		/* A value too small for the type underflows to a zero that keeps
		 * its sign.  GNU 9.11 reads the positive one as the shortest
		 * time (it asked for a limit, not for none) and refuses the
		 * negative one like any negative number; -0 itself is 0. */
		if (errno == ERANGE && value == 0.0L) {
			if (signbit(value))
				return -EINVAL;
			value = LDBL_TRUE_MIN;
		}
		if (value < 0.0L)
			return -EINVAL;
		/* ...so later parts stop at the first non-decimal character:
		 * "1h0x5m" is not one hour and five (hex) minutes. */
		if (parts > 0 && number_end != p + strspn(p, "0123456789."))
			return -EINVAL;
		/* ERANGE on overflow: infinity, which saturates below. */

		if (*number_end == '\0' && parts == 0) {
			total = value * 1e9L; /* GNU: no unit means seconds */
			parts++;
			break;
		}
		unit = unit_at(number_end, &unit_end);
		if (unit == NULL)
			return -EINVAL;
		/* Compound parts must be finite: "inf" ends a duration. */
		if (isinf(value) && *unit_end != '\0')
			return -EINVAL;
		total += value * unit->nanoseconds;
		p = unit_end;
		parts++;
	}
	*result = total;
	return 0;
}

static uint64_t to_nanoseconds(long double total)
{
	if (isinf(total) || total >= DURATION_CEILING)
		return DURATION_NONE;
	if (total < 1.0L)
		return 1; /* asked for a time: never read it as none */
	return (uint64_t)ceill(total);
}

/* zero: what 0 stands for. */
static int parse_reading_zero_as(const char *text, uint64_t *nanoseconds, uint64_t zero)
{
	long double total;
	int r = parse_total(text, &total);

	if (r < 0)
		return r;
	*nanoseconds = total == 0.0L ? zero : to_nanoseconds(total);
	return 0;
}

int duration_parse(const char *text, uint64_t *nanoseconds)
{
	return parse_reading_zero_as(text, nanoseconds, DURATION_NONE);
}

int duration_parse_delay(const char *text, uint64_t *nanoseconds)
{
	return parse_reading_zero_as(text, nanoseconds, 0);
}

struct timespec duration_to_timespec(uint64_t nanoseconds)
{
	struct timespec ts = {
		.tv_sec = (time_t)(nanoseconds / 1000000000u),
		.tv_nsec = (long)(nanoseconds % 1000000000u),
	};
	return ts;
}

const char *duration_format(uint64_t nanoseconds, char *buf, size_t size)
{
	if (nanoseconds == DURATION_NONE)
		snprintf(buf, size, "inf");
	else if (nanoseconds % 1000000000u == 0)
		snprintf(buf, size, "%llus", (unsigned long long)(nanoseconds / 1000000000u));
	else
		snprintf(buf, size, "%.9gs", (double)nanoseconds / 1e9);
	return buf;
}
