/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * attach.h - choosing an attach mode by trying it: open -> configure ->
 * load -> attach, falling back fentry -> kprobe -> syscall.
 */
#ifndef MDEVVER_ATTACH_H
#define MDEVVER_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <linux/types.h>

#include "mdevver_trace.h"

#define ATTACH_MAX_LINKS 48
#define ATTEMPTS_MAX 1024

struct mdevver_trace_bpf;
struct bpf_link;

/* One BPF program of the object and the kernel function/event it needs. */
struct prog_spec {
	const char *prog;	/* program name in mdevver_trace.bpf.c */
	const char *kind;	/* "fentry", "fexit", "kprobe", "kretprobe", "tracepoint" */
	const char *target;	/* function or "syscalls/sys_enter_write" */
	int mode;		/* enum mdevver_mode; 0: enforcement (any mode) */
	bool vendor;		/* optional: vendor-driver function */
};

extern const struct prog_spec prog_specs[];
extern const size_t prog_specs_count;

/* Optional programs of the mdev/VFIO lifecycle (bpf/migration.bpf.h),
 * enabled where the function's module (mdev, vfio) is loaded. */
struct lifecycle_spec {
	struct prog_spec p;
	const char *module;
};
extern const struct lifecycle_spec lifecycle_specs[];
extern const size_t lifecycle_specs_count;

struct tracer_config {
	pid_t targ_pid;		/* 0: all */
	const char *targ_comm;	/* NULL: all */
	bool failed_only;
	/* --any-sysfs: watched names outside an mdev layout too (scope
	 * "other"; bpf/scope.bpf.h); never when enforcing */
	bool any_sysfs;
	const char *const *attr_names;
	size_t n_attr_names;
	size_t ringbuf_bytes;	/* the "checks" ring: power of two, >= page size */
	size_t read_ringbuf_bytes; /* the "reads" ring; 0: ringbuf_bytes / 4,
				    * at least 64 KiB */
	int mode;		/* 0: auto, else enum mdevver_mode */
	bool no_vendor;		/* do not attach vendor probes */
	/* enforcement: also load and attach the BPF LSM program */
	bool lsm;
	/* enforce --strict: a check that cannot be recorded is refused
	 * (ENOBUFS) by the LSM hook (docs/delivery.md) */
	bool strict;
	__u64 instance_id;	/* whose events count (0: plain tracer) */
	/* called after open and configure, before load (map reuse) */
	int (*before_load)(void *ctx, struct mdevver_trace_bpf *skel);
	void *hook_ctx;
};

struct tracer {
	struct mdevver_trace_bpf *skel;
	int mode;
	bool vendor_get;	/* intel_gvt_get_vfio_device_version attached */
	bool vendor_check;	/* intel_gvt_check_vfio_device_version attached */
	/* lifecycle programs attached: create/remove (mdev), open/close,
	 * queries and state changes (vfio) */
	unsigned int lifecycle_progs;
	bool lifecycle_mdev, lifecycle_vfio;
	struct bpf_link *links[ATTACH_MAX_LINKS];
	const char *link_progs[ATTACH_MAX_LINKS];	/* program of links[i] */
	size_t n_links;
	/* CO-RE relocated against core_btf.c's small target of this many
	 * types; 0: against vmlinux's whole BTF (libbpf's own choice) */
	unsigned int core_btf_types;
	/* "fentry: load: Operation not permitted; kprobe: ..." */
	char attempts[ATTEMPTS_MAX];
};

/* 0 auto, or enum mdevver_mode; -1 unknown name. */
int mode_parse(const char *name);

/* Is func present for this mode (BTF for fentry, kallsyms for kprobe)? */
bool vendor_func_present(int mode, const char *func);
/* What the lifecycle programs see: "mdev+vfio", "vfio", "mdev", "none" */
const char *lifecycle_label(const struct tracer *t);
/* Is a lifecycle function of module present for this mode? */
bool lifecycle_func_present(int mode, const char *module, const char *func);

/*
 * Start tracing.  On failure returns a negative errno and t->attempts says
 * what each mode tried and why it failed.
 */
int tracer_start(struct tracer *t, const struct tracer_config *cfg);
/* Detach every program (pinned links stay attached), keep the maps: what
 * is in the rings can then be drained to the end. */
void tracer_detach(struct tracer *t);
void tracer_stop(struct tracer *t);

/*
 * Try to load and attach one program alone (for `probes`).  Returns 0 or a
 * negative errno; why gets a short reason.
 */
int probe_one_program(const struct prog_spec *spec, char *why, size_t whysz);

#endif
