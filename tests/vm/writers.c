// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * writers.c - write paths Python cannot take, for the enforcement tests in
 * the VM (tests/integration/enforce_tests.py):
 *
 *   writers io_uring PATH STRING
 *       one IORING_OP_WRITE of STRING to PATH; prints "ret=N" (N = the
 *       completion's result: bytes or -errno).  Raw system calls, so the
 *       test needs no liburing.
 *   writers race PATH DENIED ALLOWED SECONDS
 *       one thread writes a buffer to PATH again and again while another
 *       flips the buffer between DENIED and ALLOWED (same length).  The
 *       permission hook may read one string and the kernel copy the other.
 *       Prints the count of each result; exits 3 if a write ever returned
 *       the full length (the driver said compatible) - the test makes only
 *       DENIED compatible, so that would be a denied string answered.
 *       Being killed (SIGKILL from the store-time re-check) is expected.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int io_uring_write(const char *path, const char *s)
{
	struct io_uring_params p;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned int *sq_tail, *sq_array, *cq_head, *cq_tail, *sq_mask, *cq_mask;
	void *sq, *cq;
	int ring, fd, ret;

	fd = open(path, O_WRONLY);
	if (fd < 0) {
		printf("open=%d\n", -errno);
		return 1;
	}
	memset(&p, 0, sizeof(p));
	ring = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (ring < 0) {
		printf("setup=%d\n", -errno);
		return 1;
	}
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned int),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring,
		  IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring,
		  IORING_OFF_CQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe),
		    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring,
		    IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) {
		printf("mmap=%d\n", -errno);
		return 1;
	}
	sq_tail = (unsigned int *)((char *)sq + p.sq_off.tail);
	sq_mask = (unsigned int *)((char *)sq + p.sq_off.ring_mask);
	sq_array = (unsigned int *)((char *)sq + p.sq_off.array);
	cq_head = (unsigned int *)((char *)cq + p.cq_off.head);
	cq_tail = (unsigned int *)((char *)cq + p.cq_off.tail);
	cq_mask = (unsigned int *)((char *)cq + p.cq_off.ring_mask);
	cqes = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes);

	unsigned int tail = *sq_tail, idx = tail & *sq_mask;

	memset(&sqes[idx], 0, sizeof(sqes[idx]));
	sqes[idx].opcode = IORING_OP_WRITE;
	sqes[idx].fd = fd;
	sqes[idx].addr = (unsigned long)s;
	sqes[idx].len = (unsigned int)strlen(s);
	sqes[idx].off = 0;
	sq_array[idx] = idx;
	__atomic_store_n(sq_tail, tail + 1, __ATOMIC_RELEASE);
	ret = (int)syscall(__NR_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0);
	if (ret < 0) {
		printf("enter=%d\n", -errno);
		return 1;
	}
	while (__atomic_load_n(cq_head, __ATOMIC_ACQUIRE) == __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE))
		;
	printf("ret=%d\n", cqes[*cq_head & *cq_mask].res);
	return 0;
}

/* ---- race --------------------------------------------------------------- */

static char race_buf[4096];
static const char *race_a, *race_b;
static atomic_int race_stop;

static void *flipper(void *arg)
{
	size_t n = strlen(race_a);

	(void)arg;
	while (!atomic_load_explicit(&race_stop, memory_order_relaxed)) {
		memcpy(race_buf, race_a, n);
		memcpy(race_buf, race_b, n);
	}
	return NULL;
}

static int race(const char *path, const char *denied, const char *allowed, double secs)
{
	unsigned long eperm = 0, einval = 0, other = 0, full = 0, writes = 0;
	size_t n = strlen(denied);
	struct timespec t0, t;
	pthread_t th;
	int fd;

	if (strlen(allowed) != n) {
		fprintf(stderr, "race: DENIED and ALLOWED must have the same length\n");
		return 2;
	}
	race_a = denied;
	race_b = allowed;
	memcpy(race_buf, allowed, n);
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		perror(path);
		return 2;
	}
	pthread_create(&th, NULL, flipper, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		ssize_t r = pwrite(fd, race_buf, n, 0);

		writes++;
		if (r == (ssize_t)n)
			full++;
		else if (r < 0 && errno == EPERM)
			eperm++;
		else if (r < 0 && errno == EINVAL)
			einval++;
		else
			other++;
		if (full)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 > secs)
			break;
	}
	atomic_store(&race_stop, 1);
	pthread_join(th, NULL);
	printf("writes=%lu eperm=%lu einval=%lu other=%lu compatible=%lu\n",
	       writes, eperm, einval, other, full);
	return full ? 3 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 4 && !strcmp(argv[1], "io_uring"))
		return io_uring_write(argv[2], argv[3]);
	if (argc == 6 && !strcmp(argv[1], "race"))
		return race(argv[2], argv[3], argv[4], atof(argv[5]));
	fprintf(stderr, "usage: writers io_uring PATH STRING | race PATH DENIED ALLOWED SECONDS\n");
	return 2;
}
