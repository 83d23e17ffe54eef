/* util.c - unit test of src/util.c's text helpers, format_uint and join,
 * which stand in for snprintf on altimer's default path: each checked
 * against snprintf's answer for the same text, at the edges (0, the
 * largest number, a buffer cut short, an empty one).  TAP output for make
 * check. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static int tests, failed;

static void check(int ok, const char *name)
{
	printf("%s %d %s\n", ok ? "ok" : "not ok", ++tests, name);
	if (!ok)
		failed = 1;
}

static void check_number(unsigned long long value)
{
	char got[24], want[24], name[64];
	char *end;

	memset(got, 'x', sizeof got);
	end = format_uint(got, value);
	snprintf(want, sizeof want, "%llu", value);
	snprintf(name, sizeof name, "format_uint(%llu)", value);
	check(strcmp(got, want) == 0 && end == got + strlen(want) && *end == '\0', name);
}

/* join against snprintf("%s%s%s") into a buffer of size bytes. */
static void check_join(size_t size, const char *a, const char *b, const char *c)
{
	char got[32], want[32], name[96];
	size_t len;
	int want_len;

	memset(got, 'x', sizeof got);
	memset(want, 'x', sizeof want);
	len = join(got, size, a, b, c, NULL);
	want_len = snprintf(want, size, "%s%s%s", a, b, c);
	snprintf(name, sizeof name, "join(\"%s\", \"%s\", \"%s\") in %zu bytes", a, b, c, size);
	/* Byte for byte, and nothing written past the buffer. */
	check(len == (size_t)want_len && memcmp(got, want, sizeof got) == 0, name);
}

int main(void)
{
	check_number(0);
	check_number(7);
	check_number(10);
	check_number(4294967295u);
	check_number(ULLONG_MAX);
	check_join(32, "/proc/", "123", "");
	check_join(32, "", "", "");
	check_join(8, "altimer-", "4242", "-1");
	check_join(9, "altimer-", "", "");
	check_join(1, "abc", "def", "");
	check_join(0, "abc", "def", "");
	check_join(32, "/sys/fs/cgroup", "/", "altimer-1");
	printf("1..%d\n", tests);
	return failed;
}
