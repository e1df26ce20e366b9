// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * floor.c - loads and attaches the benchmark's empty programs
 * (floor.bpf.c, embedded as a skeleton), prints "attached" and waits for
 * SIGINT or SIGTERM; then detaches and exits 0.  The loader does nothing
 * per event: whatever a traced operation costs under it is the floor.
 *
 * usage: floor            (root, or CAP_BPF + CAP_PERFMON)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct floor_bpf *skel;
	sigset_t block, old;
	int err;

	libbpf_set_print(quiet);
	/* blocked until we wait for them: none is lost before sigsuspend */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	skel = floor_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "floor: open/load: %s\n", strerror(errno));
		return 1;
	}
	err = floor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "floor: attach: %s\n", strerror(-err));
		floor_bpf__destroy(skel);
		return 1;
	}
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		sigsuspend(&old);
	floor_bpf__destroy(skel);
	return 0;
}
