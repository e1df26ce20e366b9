/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * kernel_types.h - the few kernel types mdevver-trace reads, declared for
 * CO-RE instead of a generated vmlinux.h.
 *
 * Why not vmlinux.h: the build must not depend on the build machine's running
 * kernel, and a 3 MB generated header would hide which fields the tool really
 * relies on.  Every struct here carries preserve_access_index, so only the
 * *names* of the fields matter: libbpf relocates each access against the BTF
 * of the kernel the tool runs on.  Field order and the absence of the other
 * members are irrelevant.
 */
#ifndef MDEVVER_KERNEL_TYPES_H
#define MDEVVER_KERNEL_TYPES_H

/* bpf_tracing.h picks the kernel's pt_regs member names (di, si, ...) when
 * __VMLINUX_H__ is defined; we provide that pt_regs below. */
#define __VMLINUX_H__ 1

#include <linux/types.h>
#include <linux/bpf.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;
typedef long long loff_t;
typedef unsigned long size_t;
typedef long ssize_t;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

struct rb_node {
	struct rb_node *rb_right;
	struct rb_node *rb_left;
};

struct rb_root {
	struct rb_node *rb_node;
};

struct kernfs_elem_dir {
	struct rb_root children;
};

struct kernfs_elem_symlink {
	struct kernfs_node *target_kn;
};

struct kernfs_node {
	const char *name;
	struct rb_node rb;
	const void *ns;
	unsigned int hash;
	union {
		struct kernfs_elem_dir dir;
		struct kernfs_elem_symlink symlink;
	};
	__u64 id;
	unsigned short flags;
};

struct kernfs_open_file {
	struct kernfs_node *kn;
	struct file *file;
};

struct seq_file {
	char *buf;
	size_t count;
	void *private;
};

struct super_block {
	unsigned long s_magic;
};

struct inode {
	struct super_block *i_sb;
	void *i_private;
	unsigned long i_ino;	/* kernfs: the node's id (64-bit ino_t) */
};

struct file {
	const void *f_op;	/* compared, never followed (vfio_dev.bpf.h) */
	struct inode *f_inode;
	loff_t f_pos;
	void *private_data;
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

/* the writer's identity as the helpers give it (delivery.bpf.h reads it
 * with plain loads where the task is a BTF pointer): uid/gid as
 * bpf_get_current_uid_gid (the subjective cred, init_user_ns: identity),
 * the cgroup as bpf_get_current_cgroup_id (dfl_cgrp->kn->id) */
typedef struct {
	unsigned int val;
} kuid_t;
typedef struct {
	unsigned int val;
} kgid_t;
struct cred {
	kuid_t uid;
	kgid_t gid;
};
struct cgroup {
	struct kernfs_node *kn;
};
struct css_set {
	struct cgroup *dfl_cgrp;
};

struct task_struct {
	unsigned int flags;
	int pid;
	int tgid;
	struct task_struct *real_parent;
	struct files_struct *files;
	const struct cred *cred;
	struct css_set *cgroups;
	char comm[16];
};

struct iovec {
	void *iov_base;
	size_t iov_len;
};

/* the mdev and VFIO lifecycle (migration.bpf.h); vfio.ko and mdev.ko
 * types resolve against those modules' BTF */
struct kobject {
	const char *name;
	struct kobject *parent;
};
struct bus_type {
	const char *name;
};
struct device {
	struct kobject kobj;
	struct device *parent;
	const struct bus_type *bus;
};
/* vfio.ko: the core's view of a device, and (6.2+) the per-open wrapper
 * the device file's private_data points to */
struct vfio_device {
	struct device *dev;
};
struct vfio_device_file {
	struct vfio_device *device;
};
/* mdev.ko */
struct mdev_type {
	struct kobject kobj;
};
struct mdev_device {
	struct device dev;
	struct mdev_type *type;
};

#pragma clang attribute pop

/* Only the name matters: bpf_core_enum_value() relocates the value. */
enum kernfs_node_type {
	KERNFS_FILE = 2,
};

/*
 * Syscall tracepoint contexts.  These are fixed by the tracepoint format
 * (8 bytes of common fields, the syscall number, then the arguments), not by
 * kernel-internal layout, so no CO-RE here.
 */
struct trace_event_raw_sys_enter {
	unsigned long long __common;
	long id;
	unsigned long args[6];
};

struct trace_event_raw_sys_exit {
	unsigned long long __common;
	long id;
	long ret;
};

#endif /* MDEVVER_KERNEL_TYPES_H */
