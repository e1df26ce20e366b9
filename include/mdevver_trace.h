/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * mdevver_trace.h - the single definition of everything that crosses the
 * BPF/user boundary: the event record, its flags and the enums in it.
 *
 * Included by bpf/mdevver_trace.bpf.c (compiled with -target bpf) and by the
 * user-space tool.  Fixed-width types only, so both sides agree on layout; the
 * _Static_asserts at the bottom catch an accidental change of size or offset.
 */
#ifndef MDEVVER_TRACE_H
#define MDEVVER_TRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define MDEVVER_TASK_COMM_LEN	16
/* Written bytes / bytes a read returned: one sysfs page (PAGE_SIZE on x86). */
#define MDEVVER_DATA_MAX	4096
/* The device's own version string as the vendor driver built it. */
#define MDEVVER_LOCAL_MAX	4096
/* Path components captured from the kernfs node up towards the sysfs root. */
#define MDEVVER_PATH_DEPTH	16
#define MDEVVER_NAME_MAX	64
/* The reader polls at least this often; the BPF side relies on it. */
#define MDEVVER_POLL_MS		100
/* Attribute names matched in the kernel (version, migration_version, --attr). */
#define MDEVVER_ATTR_NAMES_MAX	16

enum mdevver_op {
	MDEVVER_OP_READ = 1,	/* show: reading the version string */
	MDEVVER_OP_CHECK = 2,	/* store: writing a remote string = compatibility check */
};

enum mdevver_mode {
	MDEVVER_MODE_FENTRY = 1,	/* fentry/fexit on sysfs_kf_* */
	MDEVVER_MODE_KPROBE = 2,	/* kprobe/kretprobe on sysfs_kf_* */
	MDEVVER_MODE_SYSCALL = 3,	/* syscall tracepoints on kernfs files */
	MDEVVER_MODE_LSM = 4,		/* the permission hook (a denied call) */
};

enum mdevver_event_flags {
	/* data[] holds fewer bytes than the write carried / the read returned */
	MDEVVER_F_DATA_TRUNCATED = 1u << 0,
	/* the path had more components (or longer names) than fit */
	MDEVVER_F_PATH_TRUNCATED = 1u << 1,
	/* the vendor check function ran inside this store: vendor_ret valid */
	MDEVVER_F_VENDOR_CHECK = 1u << 2,
	/* the vendor built the device's own string: local[] valid */
	MDEVVER_F_LOCAL = 1u << 3,
	MDEVVER_F_LOCAL_TRUNCATED = 1u << 4,
	/* the bytes could not be read (e.g. user page not present) */
	MDEVVER_F_DATA_UNREADABLE = 1u << 5,
};

/*
 * One completed read or check.  Variable-length parts are fixed arrays with
 * explicit lengths: the ring buffer record is reserved at full size, user
 * space reads only data_len / local_len bytes.
 */
struct mdevver_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() at completion (CLOCK_MONOTONIC) */
	__u64 latency_ns;	/* entry to return of the store/show (or syscall) */
	__u64 cgroup_id;	/* cgroup v2 id of the task */
	__s64 ret;		/* return value: bytes accepted, or -errno */
	__s64 vendor_ret;	/* vendor check function's return (F_VENDOR_CHECK) */
	__u64 count;		/* bytes written / bytes the read produced */
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u32 data_len;		/* valid bytes in data[] */
	__u32 local_len;	/* valid bytes in local[] */
	__u32 vendor_remote_len; /* strlen() of the string the vendor compared */
	__u32 flags;		/* enum mdevver_event_flags */
	__u8 op;		/* enum mdevver_op */
	__u8 mode;		/* enum mdevver_mode */
	__u8 path_depth;	/* valid entries in path[] */
	/* enforcement (include/mdevver_enforce.h); all zero when tracing */
	__u8 verdict;		/* enum mdevver_verdict */
	__u8 policy_gen;	/* generation rule_id belongs to */
	__u8 __pad;
	__u16 unknown;		/* enum mdevver_unknown: facts a deny lacked */
	__u32 rule_id;		/* the matching rule (verdict != NONE) */
	char comm[MDEVVER_TASK_COMM_LEN];
	/* path[0] is the attribute, path[1] its directory, ... towards /sys */
	char path[MDEVVER_PATH_DEPTH][MDEVVER_NAME_MAX];
	/* data before local: writev gathers into data[] and the verifier
	 * bounds each piece against data[] + local[] (see syscall mode) */
	char data[MDEVVER_DATA_MAX];
	char local[MDEVVER_LOCAL_MAX];
};

/* Key of the attribute-name filter map: a NUL-padded name. */
struct mdevver_attr_name {
	char name[MDEVVER_NAME_MAX];
};

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(struct mdevver_event) ==
	       96 + MDEVVER_TASK_COMM_LEN +
	       MDEVVER_PATH_DEPTH * MDEVVER_NAME_MAX +
	       MDEVVER_LOCAL_MAX + MDEVVER_DATA_MAX,
	       "struct mdevver_event layout changed: update both sides");
_Static_assert(__builtin_offsetof(struct mdevver_event, comm) == 96,
	       "mdevver_event header must stay 96 bytes");
_Static_assert(__builtin_offsetof(struct mdevver_event, local) ==
	       __builtin_offsetof(struct mdevver_event, data) + MDEVVER_DATA_MAX,
	       "local[] must follow data[] (writev gather bound)");
_Static_assert(sizeof(struct mdevver_attr_name) == MDEVVER_NAME_MAX,
	       "mdevver_attr_name is a bare name");
#endif

#endif /* MDEVVER_TRACE_H */
