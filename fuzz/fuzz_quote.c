/* fuzz_quote.c - libFuzzer target: diag_quote() on any bytes, into any room.
 * The first byte picks the buffer size; the rest is the text. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* Every byte at worst a 4-byte escape, between two apostrophes. */
#define QUOTE_SIZE(len) ((len) * 4 + 3)

/* diag_quote() reads the locale from the environment on its first call:
 * the C locale here, whatever the fuzzing run inherited, so the quotes are
 * apostrophes and every byte above 0x7e is escaped. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("LC_ALL", "C", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t room = size > 0 ? data[0] : 0;
	char *text = malloc(size + 1);
	char *buf = malloc(room + 1);

	if (text == NULL || buf == NULL)
		goto out;
	memcpy(text, data + (size > 0), size - (size > 0));
	text[size - (size > 0)] = '\0';
	diag_quote(text, buf, room);
	if (room >= 3) {
		size_t len = strlen(buf);
		/* Between apostrophes (the C locale), within the
		 * room, one printable line. */
		if (len >= room || len < 2 || buf[0] != '\'' || buf[len - 1] != '\'')
			abort();
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] >= 0x7f)
				abort();
		/* With room for every escape, nothing is cut. */
		if (room >= QUOTE_SIZE(strlen(text)) && len < strlen(text) + 2)
			abort();
	}
out:
	free(text);
	free(buf);
	return 0;
}
