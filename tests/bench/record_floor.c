// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * record_floor.c - loads and attaches the benchmark's recording floor
 * (record_floor.bpf.c, embedded as a skeleton) for one attribute, prints
 * "attached" and waits for SIGINT or SIGTERM; then prints what it counted
 * ("sent N repeats M") and exits 0.  Nothing reads its ring: its records
 * are few (identical checks repeat) and what they would cost a reader is
 * not what this measures.
 *
 * usage: record_floor [--task] FILE   (root, or CAP_BPF + CAP_PERFMON)
 *   FILE:   the version attribute whose checks are recorded
 *   --task: also compare the writer's facts, as the tracer's runs do
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "record_floor.skel.h"
#include "bench_loader.h"

int main(int argc, char **argv)
{
	struct record_floor_bpf *skel;
	const char *file = argv[argc - 1];
	sigset_t old;
	bool task = argc == 3 && !strcmp(argv[1], "--task");
	struct stat st;
	int err = 1;

	if (argc < 2 || argc > 3 || (argc == 3 && !task) || file[0] == '-') {
		fprintf(stderr, "usage: record_floor [--task] FILE\n");
		return 2;
	}
	if (stat(file, &st)) {
		fprintf(stderr, "record_floor: %s: %s\n", file, strerror(errno));
		return 1;
	}
	bench_loader_init(&old);

	skel = record_floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "record_floor: open: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->watched_ino = (__u32)st.st_ino;
	skel->rodata->task_facts = task;
	if (record_floor_bpf__load(skel)) {
		fprintf(stderr, "record_floor: load: %s\n", strerror(errno));
		goto cleanup;
	}
	if (record_floor_bpf__attach(skel)) {
		fprintf(stderr, "record_floor: attach: %s\n", strerror(errno));
		goto cleanup;
	}
	printf("attached\n");
	fflush(stdout);
	bench_loader_wait(&old);
	printf("sent %llu repeats %llu\n", (unsigned long long)skel->bss->sent,
	       (unsigned long long)skel->bss->repeats);
	err = 0;
cleanup:
	record_floor_bpf__destroy(skel);
	return err;
}
