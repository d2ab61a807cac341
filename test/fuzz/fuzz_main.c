/*
 * libFuzzer entry: each input is a Python script, run on a fresh
 * interpreter under the kernel's limits. A sanitizer report, a crash, a
 * script still running KPY_TWIN_OVERRUN_MS after its deadline (twin_hal.c's
 * watchdog) is a finding; output, exceptions and the time limit are
 * normal ends.
 */
#include <stdint.h>
#include <stdlib.h>

#include "twin.h"

static unsigned int env_ms(const char *name, unsigned int dflt)
{
	const char *v = getenv(name);

	return v && *v ? (unsigned int)strtoul(v, NULL, 10) : dflt;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Shorter than kpython's default: most inputs that reach it loop. */
	twin_timeout_ms = env_ms("KPY_TWIN_TIMEOUT_MS", 300);
	twin_overrun_ms = env_ms("KPY_TWIN_OVERRUN_MS", 2000);
	twin_echo = getenv("KPY_TWIN_ECHO") != NULL;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	twin_run((const char *)data, size);
	return 0;
}
