/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bench_loader.h - what the benchmark's BPF loaders (floor.c,
 * record_floor.c) share: libbpf's warnings only, and SIGINT/SIGTERM
 * blocked until the loader waits for them, so none is lost before it
 * reaches sigsuspend().
 *
 *   sigset_t old;
 *   bench_loader_init(&old);
 *   ... load, attach, print "attached" ...
 *   bench_loader_wait(&old);
 */
#ifndef MDEVVER_BENCH_LOADER_H
#define MDEVVER_BENCH_LOADER_H

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t bench_stop;

static void bench_on_signal(int sig)
{
	(void)sig;
	bench_stop = 1;
}

static int bench_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static inline void bench_loader_init(sigset_t *old)
{
	struct sigaction sa = { .sa_handler = bench_on_signal };
	sigset_t block;

	libbpf_set_print(bench_quiet);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, old);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Until SIGINT or SIGTERM. */
static inline void bench_loader_wait(const sigset_t *old)
{
	while (!bench_stop)
		sigsuspend(old);
}

#endif
