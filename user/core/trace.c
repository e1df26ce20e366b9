// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * trace.c - what every command that loads BPF needs first: the privilege
 * and BTF checks, and libbpf's messages routed by -v.  The tracing session
 * itself is session.c.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "kernel_features.h"
#include "log.h"
#include "privileges.h"
#include "trace.h"

static int libbpf_verbosity;
/* BPF memory is charged to the memory cgroup, not RLIMIT_MEMLOCK */
static bool memlock_irrelevant;

/*
 * libbpf's messages, by -v.  Its "try raising 'ulimit -l'?" follows every
 * EPERM as root, but the limit only matters where the kernel still charges
 * BPF memory to RLIMIT_MEMLOCK: elsewhere (e.g. fentry refused by the
 * kernel, an expected rung of the ladder) it sends people the wrong way,
 * so it is dropped there.
 */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	char line[1024];
	va_list again;
	int len;

	if (level == LIBBPF_DEBUG && libbpf_verbosity < 2)
		return 0;
	if (libbpf_verbosity < 1)
		return 0;
	va_copy(again, args);
	len = vsnprintf(line, sizeof(line), fmt, args);
	if (len >= (int)sizeof(line)) {
		/* a verifier log comes as one message of up to megabytes: cut,
		 * it loses the reason, which is at its end */
		len = vfprintf(stderr, fmt, again);
		va_end(again);
		return len;
	}
	va_end(again);
	if (memlock_irrelevant && strstr(line, "try raising 'ulimit -l'"))
		return 0;
	return fputs(line, stderr);
}

void setup_libbpf_logging(int verbosity)
{
	libbpf_verbosity = verbosity;
	libbpf_set_print(NULL);	/* the probe below is not the user's business */
	/* libbpf's own test: bpf_ktime_get_coarse_ns came in the same kernel
	 * release as memcg accounting of BPF memory (a feature, not a version) */
	if (verbosity > 0)
		memlock_irrelevant = libbpf_probe_bpf_helper(BPF_PROG_TYPE_SOCKET_FILTER,
							     BPF_FUNC_ktime_get_coarse_ns,
							     NULL) == 1;
	libbpf_set_print(libbpf_print);
}

int require_bpf_environment(void)
{
	capset_t missing = privileges_missing(false);

	/* by capability, not by uid: root with a reduced set is told too */
	if (missing) {
		char names[128];

		p_err("insufficient privileges: missing %s (loading BPF programs needs "
		      "CAP_BPF and CAP_PERFMON, or root); run it with sudo",
		      privileges_names_and(missing, names, sizeof(names)));
		return -1;
	}
	if (!kf_has_vmlinux_btf()) {
		p_err("no kernel BTF: %s is missing; this kernel needs "
		      "CONFIG_DEBUG_INFO_BTF=y (CO-RE cannot relocate without it)",
		      VMLINUX_BTF_PATH);
		return -1;
	}
	return 0;
}
