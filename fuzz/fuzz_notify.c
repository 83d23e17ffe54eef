/* fuzz_notify.c - libFuzzer target: any bytes as a notify datagram. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct notify_message message;
	char status[256];

	status[0] = '\0';
	if (notify_parse((const char *)data, size, &message, status, sizeof status) >= 0) {
		/* STATUS= is always cut to fit and terminated. */
		if (memchr(status, '\0', sizeof status) == NULL)
			abort();
		if (message.watchdog && message.trigger && size < 20)
			abort(); /* both need their own line: at least 21 bytes */
	}
	return 0;
}
