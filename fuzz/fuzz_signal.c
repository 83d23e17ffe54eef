/* fuzz_signal.c - libFuzzer target: any bytes as a SIGNAL operand. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char name[SIGNAME_MAX];
	int sig;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	sig = signal_parse(text);
	/* A parsed signal must have a name that parses back to it. */
	if (sig >= 0 && (signal_name(sig, name) == NULL || signal_parse(name) != sig))
		abort();
	free(text);
	return 0;
}
