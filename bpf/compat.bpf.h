/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * compat.bpf.h - where the kernels the tool runs on differ, in one place.
 *
 * The kernel's types are declared in kernel_types.h (CO-RE: field names
 * only, relocated against the running kernel's BTF).  What differs between
 * kernels, and how each difference is met, is here:
 *
 *   kernfs_node's parent    "parent" before 6.15, "__parent" from 6.15:
 *                           ___flavor structs, bpf_core_field_exists
 *   kernfs node type        enum kernfs_node_type by name
 *                           (bpf_core_enum_value)
 *   a task's open files     files->fdt->fd[] (fd_file)
 *   x86-64 syscall ABI      syscall numbers and the pt_regs members the
 *                           permission hook reads the writer's buffer from
 *   kernel constants        magic numbers, MAY_*, PF_*, errno values: ABI,
 *                           unchanged across the kernels supported
 *
 *   the current task        fentry/fexit programs read its fields as
 *                           plain loads (bpf_get_current_task_btf, 5.11:
 *                           task_btf, set by user/core/attach.c), the
 *                           others through helpers.
 *
 * A thread's call in flight and its runs are kept the same way everywhere:
 * in the thread table (maps.bpf.h thread_slots), an array, which every
 * program type may use on every kernel the tool runs on.
 *
 * A skipped entry program (kernels where tracing programs can be
 * preempted, seen on 7.x: recursion protection keeps the next call on that
 * CPU out of it) is a difference in behaviour, not in types: the call is
 * rebuilt at its exit by call_at_exit() in delivery.bpf.h.  The attach
 * mode a kernel supports is chosen in user space (user/core/attach.c).
 */
#ifndef MDEVVER_COMPAT_BPF_H
#define MDEVVER_COMPAT_BPF_H

#include "kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define SYSFS_MAGIC		0x62656572
#define KERNFS_TYPE_MASK	0x000f
#define MAY_WRITE	0x2
#define MAY_READ	0x4
#define PF_IO_WORKER	0x10
#define EPERM		1

/* x86-64 syscall numbers whose arguments name the user buffer */
#define NR_WRITE	1
#define NR_PWRITE64	18
#define NR_WRITEV	20
#define NR_PWRITEV	296
#define NR_PWRITEV2	328
#define ENOBUFS		105

/* The parent pointer was renamed in 6.15 ("parent" -> "__parent", RCU). */
struct __attribute__((preserve_access_index)) kernfs_node___old {
	struct kernfs_node *parent;
};

struct __attribute__((preserve_access_index)) kernfs_node___new {
	struct kernfs_node *__parent;
};

/* The parent pointer is "parent" before 6.15 and "__parent" from 6.15. */
static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(struct kernfs_node___new, __parent))
		return BPF_CORE_READ((struct kernfs_node___new *)kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* Is kn a regular kernfs file (not a directory or a link)? */
static __always_inline bool kn_is_file(struct kernfs_node *kn)
{
	return (BPF_CORE_READ(kn, flags) & KERNFS_TYPE_MASK) ==
	       bpf_core_enum_value(enum kernfs_node_type, KERNFS_FILE);
}

/* The current task's open file fd (NULL if none). */
static __always_inline struct file *fd_file(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *f = NULL;

	if (fd < 0 || (unsigned long)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

#endif /* MDEVVER_COMPAT_BPF_H */
