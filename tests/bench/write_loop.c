// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * write_loop.c - the benchmark's workload: open an attribute once, then
 * pwrite the same bytes N times and print the mean cost per write in ns.
 * Errors from the driver (an incompatible check) are expected and counted,
 * not fatal: the cost of a refused check is as interesting as an accepted one.
 * With --read: N times open + pread + close of the attribute (what reading
 * a sysfs file costs, e.g. a monitoring agent's); failed reads are counted.
 *
 * usage: write_loop PATH STRING ITERATIONS
 *        write_loop --read PATH ITERATIONS
 * prints: NS-PER-OPERATION FAILED-OPERATIONS
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int read_loop(const char *path, long iters)
{
	char buf[4096];
	long failed = 0;
	double t0, t1;

	/* the attribute must be readable at all: fail loudly, not 100% failed */
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || pread(fd, buf, sizeof(buf), 0) < 0) {
		fprintf(stderr, "write_loop: read %s: %s\n", path, strerror(errno));
		return 1;
	}
	close(fd);
	t0 = now_ns();
	for (long i = 0; i < iters; i++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			failed++;
			continue;
		}
		if (pread(fd, buf, sizeof(buf), 0) < 0)
			failed++;
		close(fd);
	}
	t1 = now_ns();
	printf("%.0f %ld\n", (t1 - t0) / iters, failed);
	return 0;
}

int main(int argc, char **argv)
{
	long iters, refused = 0;
	size_t len;
	double t0, t1;
	int fd;

	if (argc == 4 && !strcmp(argv[1], "--read") &&
	    (iters = strtol(argv[3], NULL, 10)) > 0)
		return read_loop(argv[2], iters);
	if (argc != 4 || (iters = strtol(argv[3], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: write_loop PATH STRING ITERATIONS\n"
				"       write_loop --read PATH ITERATIONS\n");
		return 2;
	}
	len = strlen(argv[2]);
	fd = open(argv[1], O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "write_loop: open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	t0 = now_ns();
	for (long i = 0; i < iters; i++)
		if (pwrite(fd, argv[2], len, 0) < 0)
			refused++;
	t1 = now_ns();
	close(fd);
	printf("%.0f %ld\n", (t1 - t0) / iters, refused);
	return 0;
}
