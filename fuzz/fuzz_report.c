/* fuzz_report.c - libFuzzer target: any bytes as a command argument in the
 * --report JSON.  The string written must be valid UTF-8 with no raw
 * control characters, and decode back to the input wherever the input was
 * valid UTF-8. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* Strict UTF-8 check, written apart from report.c's on purpose. */
static int valid_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		size_t n;
		unsigned long code;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) { n = 2; code = c & 0x1f; }
		else if ((c & 0xf0) == 0xe0) { n = 3; code = c & 0x0f; }
		else if ((c & 0xf8) == 0xf0) { n = 4; code = c & 0x07; }
		else return 0;
		if (i + n > len)
			return 0;
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			code = code << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 2 && code < 0x80) || (n == 3 && code < 0x800) ||
		    (n == 4 && code < 0x10000) || code > 0x10ffff ||
		    (code >= 0xd800 && code <= 0xdfff))
			return 0;
		i += n;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = NULL, *decoded;
	size_t len = 0, out = 0;
	int replaced = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return 0;
	report_json_string(f, (const char *)data, size);
	if (fclose(f) != 0)
		abort();
	if (len < 2 || text[0] != '"' || text[len - 1] != '"')
		abort();
	if (!valid_utf8((const unsigned char *)text, len))
		abort();
	decoded = malloc(len);
	if (decoded == NULL)
		abort();
	for (size_t i = 1; i < len - 1; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 || c == '"')
			abort(); /* raw control character or unescaped quote */
		if (c != '\\') {
			decoded[out++] = (char)c;
			continue;
		}
		if (++i >= len - 1)
			abort();
		switch (text[i]) {
		case '"': decoded[out++] = '"'; break;
		case '\\': decoded[out++] = '\\'; break;
		case 'n': decoded[out++] = '\n'; break;
		case 'r': decoded[out++] = '\r'; break;
		case 't': decoded[out++] = '\t'; break;
		case 'u': {
			unsigned long code;
			char hex[5];

			if (i + 4 >= len - 1 + 1)
				abort();
			memcpy(hex, text + i + 1, 4);
			hex[4] = '\0';
			code = strtoul(hex, NULL, 16);
			i += 4;
			if (code == 0xfffd)
				replaced = 1;
			else if (code < 0x20 || code == 0x7f)
				decoded[out++] = (char)code;
			else
				abort(); /* only control characters and U+FFFD are escaped */
			break;
		}
		default:
			abort();
		}
	}
	/* Nothing invalid in the input: it comes back byte for byte. */
	if (!replaced && (out != size || memcmp(decoded, data, size) != 0))
		abort();
	if (replaced && valid_utf8(data, size))
		abort();
	free(decoded);
	free(text);
	return 0;
}
