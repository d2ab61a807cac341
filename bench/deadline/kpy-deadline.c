// SPDX-License-Identifier: MIT
/*
 * kpy-deadline FILE: run the script FILE through kpython's exec file as the
 * client does, and print how long the run took as seen by the caller:
 *
 *     <milliseconds> <how it ended>
 *
 * The script runs inside the first read(), so the time is taken from just
 * before that read to its return (the output is complete then); the end is
 * the errno of the final read (ETIME = the time limit), or "ok".
 * Built static by bench/deadline.sh and run inside the test VM, where
 * busybox has no sub-second clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const char *end_name(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case ETIME:
		return "ETIME";
	case EREMOTEIO:
		return "EREMOTEIO";
	case EINTR:
		return "EINTR";
	default:
		return strerror(err);
	}
}

int main(int argc, char **argv)
{
	const char *exec_file = getenv("KPY_EXEC");
	static char buf[1 << 16];
	double t0, t1 = 0;
	ssize_t n;
	int in, fd, err = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: kpy-deadline FILE\n");
		return 2;
	}
	if (!exec_file)
		exec_file = "/sys/kernel/debug/kpython/exec";
	in = open(argv[1], O_RDONLY);
	fd = open(exec_file, O_RDWR);
	if (in < 0 || fd < 0) {
		perror(in < 0 ? argv[1] : exec_file);
		return 2;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(fd, buf, n) != n) {
			perror("write");
			return 2;
		}
	}
	close(in);

	t0 = now_ms();
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (!t1)
			t1 = now_ms();
		if (n < 0)
			err = errno;
		if (n <= 0)
			break;
	}
	close(fd);
	printf("%.3f %s\n", t1 - t0, end_name(err));
	return 0;
}
