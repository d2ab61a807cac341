/*
 * Plain mode, for reproducing: twin-run FILE... runs each script as
 * kpython would (output to stdout), prints how it ended on stderr.
 * Exit status: 0 when every script ended normally (output, exception,
 * time limit); a crash, a sanitizer report or the deadline watchdog
 * (twin_hal.c) ends the process instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "twin.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	const char *t = getenv("KPY_TWIN_TIMEOUT_MS");
	const char *o = getenv("KPY_TWIN_OVERRUN_MS");
	int i;

	twin_timeout_ms = t && *t ? (unsigned int)strtoul(t, NULL, 10) : 1000;
	if (o && *o)
		twin_overrun_ms = (unsigned int)strtoul(o, NULL, 10);
	twin_echo = getenv("KPY_TWIN_QUIET") == NULL;
	if (argc < 2) {
		fprintf(stderr, "usage: twin-run FILE.py...\n");
		return 2;
	}
	for (i = 1; i < argc; i++) {
		struct timespec a, b;
		size_t len;
		char *src = slurp(argv[i], &len);
		enum twin_status st;

		if (!src) {
			perror(argv[i]);
			return 2;
		}
		clock_gettime(CLOCK_MONOTONIC, &a);
		st = twin_run(src, len);
		clock_gettime(CLOCK_MONOTONIC, &b);
		fflush(stdout);
		fprintf(stderr, "twin: %s: %s in %ld ms\n", argv[i],
			twin_status_name(st),
			(long)((b.tv_sec - a.tv_sec) * 1000 +
			       (b.tv_nsec - a.tv_nsec) / 1000000));
		free(src);
	}
	return 0;
}
