// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * flood.c - floods of checks and reads for the delivery tests in the VM
 * (tests/integration/flood_tests.py) and the flood benchmark
 * (tests/bench/guest.sh).  Every process opens the attribute once, then
 * pwrite()s (a check) or pread()s (a read) it COUNT times; the results are
 * counted exactly as the kernel returned them and printed as one JSON line.
 *
 *   flood checks --writers N --count M --attr PATH --string S [--distinct]
 *                [--stop-on ERRNO] [--comm NAME]
 *       N processes, each M pwrite()s of S to PATH.  --distinct: write k of
 *       writer w is "S-w<w>-<k>" (no two writes equal, nothing coalesces;
 *       with a version string these are incompatible checks).  --stop-on
 *       ERRNO (name or number, e.g. ENOBUFS): a writer stops after the first
 *       write refused with it.
 *   flood reads --count M --attr PATH [--uid UID] [--comm NAME]
 *       one process drops to UID (and gid UID, no supplementary groups)
 *       before the loop, then M pread()s of up to 4096 bytes at offset 0.
 *   flood both --writers N --count M --reads R --attr PATH --string S
 *              [--uid UID] [--distinct] [--comm NAME]
 *       the writers and one reader at the same time (started together).
 *
 * --comm sets the process name (prctl PR_SET_NAME) before anything is
 * forked, so a tracer's -c NAME sees exactly this program's calls.
 *
 * Output (stdout, one line):
 *   {"mode":"checks","checks":{"writes":..,"compatible":..,"short":..,
 *    "errno":{"EINVAL":..},"ns_per_check":..,"wall_ns":..,
 *    "writers":[{"pid":..,"writes":..,"compatible":..,"short":..,"errno":{..},
 *                "ns_per_check":..}, ...]}}
 *   reads add "reads":{"pid":..,"reads":..,"ok":..,"failed":..,"errno":{..},
 *    "ns_per_read":..,"uid":..}
 * compatible = the write returned the full length; short = it returned
 * another non-negative count; errno = refused, by errno name.  ns_per_check
 * is the writer's CLOCK_MONOTONIC time from its first to its last write,
 * divided by its writes (overall: mean over writers).
 * Exit 0 when every process ran its loop, 1 on a setup error (open, setuid).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WRITERS 64
#define MAX_ERRNO 256		/* errno values counted one by one; larger: other */
#define SHORT_SLOT MAX_ERRNO	/* not an errno: a short (or over-long) count */

struct tally {
	unsigned long done;		/* calls made */
	unsigned long ok;		/* full length (check) / data (read) */
	unsigned long by_errno[MAX_ERRNO + 1];	/* [SHORT_SLOT]: short count */
	unsigned long other_errno;	/* errno >= MAX_ERRNO */
	double ns;			/* first call to last return */
	int pid;			/* the process that made the calls */
	int setup_errno;		/* open/setuid failed: no loop ran */
	char setup_what[32];
};

struct opts {
	const char *mode, *attr, *string, *comm;
	long writers, count, reads;
	long uid;
	int distinct;
	int stop_on;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	case ENODATA: return "ENODATA";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOBUFS: return "ENOBUFS";
	case ETIMEDOUT: return "ETIMEDOUT";
	default: return NULL;
	}
}

static int errno_parse(const char *s)
{
	char *end;
	long v;

	for (int e = 1; e < MAX_ERRNO; e++) {
		const char *n = errno_name(e);

		if (n && !strcmp(n, s))
			return e;
	}
	v = strtol(s, &end, 10);
	if (*s && !*end && v > 0 && v < MAX_ERRNO)
		return (int)v;
	return -1;
}

static void count_errno(struct tally *t, int e)
{
	if (e > 0 && e < MAX_ERRNO)
		t->by_errno[e]++;
	else
		t->other_errno++;
}

static void setup_failed(struct tally *t, const char *what)
{
	t->setup_errno = errno;
	snprintf(t->setup_what, sizeof(t->setup_what), "%s", what);
}

/* Blocks until the parent closes the write end: every process starts at once. */
static void wait_go(int go)
{
	char c;

	while (read(go, &c, 1) < 0 && errno == EINTR)
		;
	close(go);
}

static void writer(const struct opts *o, int w, struct tally *t, int go)
{
	size_t base = strlen(o->string), len = base;
	char *buf = malloc(base + 64);
	double t0, t1;
	int fd;

	if (!buf) {
		setup_failed(t, "malloc");
		wait_go(go);
		return;
	}
	memcpy(buf, o->string, base);
	fd = open(o->attr, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		setup_failed(t, "open");
	wait_go(go);
	if (fd < 0)
		return;
	t0 = now_ns();
	for (long k = 0; k < o->count; k++) {
		ssize_t r;

		if (o->distinct)
			len = base + (size_t)snprintf(buf + base, 64, "-w%d-%ld", w, k);
		r = pwrite(fd, buf, len, 0);
		t->done++;
		if (r == (ssize_t)len) {
			t->ok++;
		} else if (r >= 0) {
			t->by_errno[SHORT_SLOT]++;
		} else {
			int e = errno;

			count_errno(t, e);
			if (e == o->stop_on)
				break;
		}
	}
	t1 = now_ns();
	t->ns = t1 - t0;
	close(fd);
	free(buf);
}

static void reader(const struct opts *o, struct tally *t, int go)
{
	char buf[4096];
	double t0, t1;
	int fd;

	if (o->uid >= 0) {
		if (setgroups(0, NULL) || setgid((gid_t)o->uid) || setuid((uid_t)o->uid)) {
			setup_failed(t, "setuid");
			wait_go(go);
			return;
		}
	}
	fd = open(o->attr, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		setup_failed(t, "open");
	wait_go(go);
	if (fd < 0)
		return;
	t0 = now_ns();
	for (long k = 0; k < o->reads; k++) {
		ssize_t r = pread(fd, buf, sizeof(buf), 0);

		t->done++;
		if (r >= 0)
			t->ok++;
		else
			count_errno(t, errno);
	}
	t1 = now_ns();
	t->ns = t1 - t0;
	close(fd);
}

static void print_errnos(const struct tally *t)
{
	int first = 1;

	printf("{");
	for (int e = 1; e < MAX_ERRNO; e++) {
		const char *n;

		if (!t->by_errno[e])
			continue;
		n = errno_name(e);
		if (n)
			printf("%s\"%s\":%lu", first ? "" : ",", n, t->by_errno[e]);
		else
			printf("%s\"%d\":%lu", first ? "" : ",", e, t->by_errno[e]);
		first = 0;
	}
	if (t->other_errno)
		printf("%s\"other\":%lu", first ? "" : ",", t->other_errno);
	printf("}");
}

static unsigned long refused(const struct tally *t)
{
	unsigned long n = t->other_errno;

	for (int e = 1; e < MAX_ERRNO; e++)
		n += t->by_errno[e];
	return n;
}

static void print_checks(const struct tally *ts, long n, double wall)
{
	struct tally sum;
	double ns = 0;

	memset(&sum, 0, sizeof(sum));
	for (long i = 0; i < n; i++) {
		sum.done += ts[i].done;
		sum.ok += ts[i].ok;
		for (int e = 0; e <= MAX_ERRNO; e++)
			sum.by_errno[e] += ts[i].by_errno[e];
		sum.other_errno += ts[i].other_errno;
		ns += ts[i].done ? ts[i].ns / ts[i].done : 0;
	}
	printf("\"checks\":{\"writes\":%lu,\"compatible\":%lu,\"short\":%lu,\"refused\":%lu,\"errno\":",
	       sum.done, sum.ok, sum.by_errno[SHORT_SLOT], refused(&sum));
	print_errnos(&sum);
	printf(",\"ns_per_check\":%.0f,\"wall_ns\":%.0f,\"writers\":[", n ? ns / n : 0, wall);
	for (long i = 0; i < n; i++) {
		const struct tally *t = &ts[i];

		printf("%s{\"pid\":%d,\"writes\":%lu,\"compatible\":%lu,\"short\":%lu,\"errno\":",
		       i ? "," : "", t->pid, t->done, t->ok, t->by_errno[SHORT_SLOT]);
		print_errnos(t);
		printf(",\"ns_per_check\":%.0f}", t->done ? t->ns / t->done : 0);
	}
	printf("]}");
}

static void print_reads(const struct tally *t, long uid)
{
	printf("\"reads\":{\"pid\":%d,\"reads\":%lu,\"ok\":%lu,\"failed\":%lu,\"errno\":",
	       t->pid, t->done, t->ok, refused(t));
	print_errnos(t);
	printf(",\"ns_per_read\":%.0f,\"uid\":%ld}", t->done ? t->ns / t->done : 0, uid);
}

static int usage(void)
{
	fprintf(stderr,
		"usage: flood checks --writers N --count M --attr PATH --string S [--distinct] [--stop-on ERRNO] [--comm NAME]\n"
		"       flood reads --count M --attr PATH [--uid UID] [--comm NAME]\n"
		"       flood both --writers N --count M --reads R --attr PATH --string S [--uid UID] [--distinct] [--comm NAME]\n");
	return 2;
}

static int num(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->writers = 1;
	o->uid = -1;
	o->stop_on = -1;
	if (argc < 2)
		return -1;
	o->mode = argv[1];
	if (strcmp(o->mode, "checks") && strcmp(o->mode, "reads") && strcmp(o->mode, "both"))
		return -1;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--distinct")) {
			o->distinct = 1;
			continue;
		}
		if (!v)
			return -1;
		i++;
		if (!strcmp(a, "--writers")) {
			if (num(v, 1, MAX_WRITERS, &o->writers))
				return -1;
		} else if (!strcmp(a, "--count")) {
			if (num(v, 0, 1L << 40, &o->count))
				return -1;
		} else if (!strcmp(a, "--reads")) {
			if (num(v, 0, 1L << 40, &o->reads))
				return -1;
		} else if (!strcmp(a, "--uid")) {
			if (num(v, 0, 1L << 31, &o->uid))
				return -1;
		} else if (!strcmp(a, "--attr")) {
			o->attr = v;
		} else if (!strcmp(a, "--string")) {
			o->string = v;
		} else if (!strcmp(a, "--comm")) {
			o->comm = v;
		} else if (!strcmp(a, "--stop-on")) {
			if ((o->stop_on = errno_parse(v)) < 0)
				return -1;
		} else {
			return -1;
		}
	}
	if (!o->attr)
		return -1;
	if (!strcmp(o->mode, "reads")) {
		o->reads = o->count;	/* "reads --count M" */
		o->writers = 0;
	} else if (!o->string) {
		return -1;
	}
	if (!strcmp(o->mode, "checks"))
		o->reads = -1;
	return 0;
}

int main(int argc, char **argv)
{
	pid_t pids[MAX_WRITERS + 1];
	struct tally *ts;
	struct opts o;
	int go[2], nproc = 0, rc = 0;
	double t0, t1;

	if (parse(argc, argv, &o))
		return usage();
	if (o.comm && prctl(PR_SET_NAME, o.comm, 0, 0, 0)) {
		perror("flood: prctl(PR_SET_NAME)");
		return 1;
	}
	/* writers' tallies, then the reader's: shared with the children */
	ts = mmap(NULL, sizeof(*ts) * (MAX_WRITERS + 1), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ts == MAP_FAILED || pipe(go)) {
		perror("flood");
		return 1;
	}
	fflush(stdout);
	for (long i = 0; i <= o.writers; i++) {
		int is_reader = i == o.writers;
		pid_t pid;

		if (is_reader && o.reads < 0)
			break;
		pid = fork();
		if (pid < 0) {
			perror("flood: fork");
			return 1;
		}
		if (pid == 0) {
			close(go[1]);
			ts[is_reader ? MAX_WRITERS : i].pid = getpid();
			if (is_reader)
				reader(&o, &ts[MAX_WRITERS], go[0]);
			else
				writer(&o, (int)i, &ts[i], go[0]);
			_exit(0);
		}
		pids[nproc++] = pid;
	}
	close(go[0]);
	t0 = now_ns();
	close(go[1]);		/* go */
	for (int i = 0; i < nproc; i++) {
		int st;

		while (waitpid(pids[i], &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "flood: child %d ended with status %#x\n", pids[i], st);
			rc = 1;
		}
	}
	t1 = now_ns();
	for (long i = 0; i <= MAX_WRITERS; i++)
		if (ts[i].setup_errno) {
			fprintf(stderr, "flood: %s %s: %s\n", i == MAX_WRITERS ? "reader" : "writer",
				ts[i].setup_what, strerror(ts[i].setup_errno));
			rc = 1;
		}
	printf("{\"mode\":\"%s\"", o.mode);
	if (o.writers) {
		printf(",");
		print_checks(ts, o.writers, t1 - t0);
	}
	if (o.reads >= 0) {
		printf(",");
		print_reads(&ts[MAX_WRITERS], o.uid);
	}
	printf(",\"wall_ns\":%.0f}\n", t1 - t0);
	return rc;
}
