// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * floor.c - loads and attaches the benchmark's empty programs
 * (floor.bpf.c, embedded as a skeleton), prints "attached" and waits for
 * SIGINT or SIGTERM; then detaches and exits 0.  The loader does nothing
 * per event: whatever a traced operation costs under it is the floor.
 *
 * usage: floor [--vendor]   (root, or CAP_BPF + CAP_PERFMON)
 *   --vendor: also the empty programs on the i915 gvt functions (the
 *             simulated vGPU's module in the bench VM)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"
#include "bench_loader.h"

int main(int argc, char **argv)
{
	struct bpf_program *prog;
	struct bpf_link *links[8];
	struct floor_bpf *skel;
	sigset_t old;
	int n = 0, vendor;

	bench_loader_init(&old);

	vendor = argc == 2 && !strcmp(argv[1], "--vendor");
	if (argc > 2 || (argc == 2 && !vendor)) {
		fprintf(stderr, "usage: floor [--vendor]\n");
		return 2;
	}
	skel = floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "floor: open: %s\n", strerror(errno));
		return 1;
	}
	bpf_program__set_autoload(skel->progs.floor_vendor_get, vendor);
	bpf_program__set_autoload(skel->progs.floor_vendor_check, vendor);
	if (floor_bpf__load(skel)) {
		fprintf(stderr, "floor: load: %s\n", strerror(errno));
		floor_bpf__destroy(skel);
		return 1;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		if (!bpf_program__autoload(prog))
			continue;
		links[n] = bpf_program__attach(prog);
		if (!links[n]) {
			fprintf(stderr, "floor: attach %s: %s\n",
				bpf_program__name(prog), strerror(errno));
			while (n--)
				bpf_link__destroy(links[n]);
			floor_bpf__destroy(skel);
			return 1;
		}
		n++;
	}
	printf("attached\n");
	fflush(stdout);
	bench_loader_wait(&old);
	while (n--)
		bpf_link__destroy(links[n]);
	floor_bpf__destroy(skel);
	return 0;
}
