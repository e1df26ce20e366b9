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

#include <bpf/libbpf.h>

#include "kernel_features.h"
#include "log.h"
#include "privileges.h"
#include "trace.h"

static int libbpf_verbosity;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	if (level == LIBBPF_DEBUG && libbpf_verbosity < 2)
		return 0;
	if (libbpf_verbosity < 1)
		return 0;
	return vfprintf(stderr, fmt, args);
}

void setup_libbpf_logging(int verbosity)
{
	libbpf_verbosity = verbosity;
	libbpf_set_print(libbpf_print);
}

int require_bpf_environment(void)
{
	capset_t missing = privileges_missing(false);
	char names[128];

	/* by capability, not by uid: root with a reduced set is told too */
	if (missing) {
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
