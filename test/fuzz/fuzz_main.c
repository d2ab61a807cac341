/*
 * libFuzzer entry: each input is a Python script, run on a fresh
 * interpreter under the kernel's limits. A sanitizer report, a crash, a
 * hang past libFuzzer's -timeout or a stop long after the deadline
 * (TWIN_OVERRUN_MS) is a finding; output, exceptions and the time limit
 * are normal ends.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "twin.h"

static unsigned int twin_overrun_ms;

static unsigned int env_ms(const char *name, unsigned int dflt)
{
	const char *v = getenv(name);

	return v && *v ? (unsigned int)strtoul(v, NULL, 10) : dflt;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	twin_timeout_ms = env_ms("KPY_TWIN_TIMEOUT_MS", 300);
	twin_overrun_ms = env_ms("KPY_TWIN_OVERRUN_MS", 2000);
	twin_echo = getenv("KPY_TWIN_ECHO") != NULL;
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t start = now_ms();
	uint64_t took;

	twin_run((const char *)data, size);
	took = now_ms() - start;
	if (twin_overrun_ms && took > twin_timeout_ms + twin_overrun_ms) {
		fprintf(stderr, "twin: deadline overrun: stopped %llu ms after a limit of %u ms\n",
			(unsigned long long)took, twin_timeout_ms);
		abort();
	}
	return 0;
}
