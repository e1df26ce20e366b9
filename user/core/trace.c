// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * trace.c - what every command that loads BPF needs first: the privilege
 * and BTF checks, and libbpf's messages routed by -v.  The tracing session
 * itself is session.c.
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "kernel_features.h"
#include "log.h"
#include "trace.h"

/* linux/capability.h of kernels before 5.8 lacks them */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

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

static bool have_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

int require_bpf_environment(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};

	if (geteuid() != 0) {
		bool ok = !syscall(SYS_capget, &hdr, data) &&
			  ((have_cap(data, CAP_BPF) && have_cap(data, CAP_PERFMON)) ||
			   have_cap(data, CAP_SYS_ADMIN));

		if (!ok) {
			p_err("insufficient privileges: loading BPF programs needs "
			      "root (or CAP_BPF and CAP_PERFMON); run it with sudo");
			return -1;
		}
	}
	if (!kf_has_vmlinux_btf()) {
		p_err("no kernel BTF: %s is missing; this kernel needs "
		      "CONFIG_DEBUG_INFO_BTF=y (CO-RE cannot relocate without it)",
		      VMLINUX_BTF_PATH);
		return -1;
	}
	return 0;
}
