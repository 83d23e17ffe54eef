/* fuzz_duration.c - libFuzzer target: any bytes as a DURATION operand. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	uint64_t ns;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (duration_parse(text, &ns) == 0 && ns != DURATION_NONE) {
		/* Whatever parses must convert without overflow. */
		struct timespec ts = duration_to_timespec(ns);
		if (ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L || ns == 0)
			abort();
	}
	free(text);
	return 0;
}
