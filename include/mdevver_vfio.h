/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * mdevver_vfio.h - the lifecycle record that crosses the BPF/user boundary:
 * an mdev device created or removed, a VFIO device file opened or closed,
 * a migration feature query and every migration state change (VFIO
 * migration uAPI v2, kernel 5.18+; docs/migration.md).
 *
 * These records travel in the "checks" ring (never displaced by reads) as
 * MDEVVER_REC_VFIO.  Fixed-width types only; the _Static_asserts at the
 * bottom keep both sides in step.
 */
#ifndef MDEVVER_VFIO_H
#define MDEVVER_VFIO_H

#include "mdevver_trace.h"

/* What a lifecycle record reports. */
enum mdevver_vfio_what {
	MDEVVER_VFIO_CREATE = 1,	/* mdev_device_create(): type, uuid, ret */
	MDEVVER_VFIO_REMOVE = 2,	/* mdev_device_remove(): device, type, ret */
	MDEVVER_VFIO_OPEN = 3,		/* a process got a file of the VFIO device */
	MDEVVER_VFIO_CLOSE = 4,		/* the last reference of that file went */
	MDEVVER_VFIO_FEATURE = 5,	/* VFIO_DEVICE_FEATURE: a migration query */
	MDEVVER_VFIO_STATE = 6,		/* VFIO_DEVICE_FEATURE SET MIG_DEVICE_STATE */
};

/* enum vfio_device_mig_state of <linux/vfio.h> (uAPI, fixed values) */
enum mdevver_mig_state {
	MDEVVER_MIG_ERROR = 0,
	MDEVVER_MIG_STOP = 1,
	MDEVVER_MIG_RUNNING = 2,
	MDEVVER_MIG_STOP_COPY = 3,
	MDEVVER_MIG_RESUMING = 4,
	MDEVVER_MIG_RUNNING_P2P = 5,
	MDEVVER_MIG_PRE_COPY = 6,
	MDEVVER_MIG_PRE_COPY_P2P = 7,
	MDEVVER_MIG_STATES = 8,
	/* the state before a change was not seen (the device was opened
	 * before the tracer started and the driver did not tell) */
	MDEVVER_MIG_UNKNOWN = 255,
};

/* uAPI constants the BPF side decodes (<linux/vfio.h>, stable ABI) */
#define MDEVVER_VFIO_TYPE		';'
#define MDEVVER_VFIO_BASE		100
#define MDEVVER_VFIO_IO(n)		((MDEVVER_VFIO_TYPE << 8) | (MDEVVER_VFIO_BASE + (n)))
#define MDEVVER_VFIO_GROUP_GET_DEVICE_FD MDEVVER_VFIO_IO(6)
#define MDEVVER_VFIO_DEVICE_FEATURE	MDEVVER_VFIO_IO(17)
#define MDEVVER_FEATURE_MASK		0xffffu
#define MDEVVER_FEATURE_GET		(1u << 16)
#define MDEVVER_FEATURE_SET		(1u << 17)
#define MDEVVER_FEATURE_PROBE		(1u << 18)
#define MDEVVER_FEATURE_MIGRATION	1	/* GET: the migration flags */
#define MDEVVER_FEATURE_MIG_DEVICE_STATE 2	/* SET/GET: the state */
#define MDEVVER_FEATURE_MIG_DATA_SIZE	9	/* GET: estimated data size */

enum mdevver_vfio_flags {
	/* from_state came from the driver (vfio_mig_get_next_state), not
	 * from the last state this tracer saw */
	MDEVVER_VF_FROM_DRIVER = 1u << 0,
	/* bytes holds what went through the data file of the phase this
	 * change ended (STOP_COPY/PRE_COPY: read by the source; RESUMING:
	 * written to the target) */
	MDEVVER_VF_BYTES = 1u << 1,
	/* the change returned a new data file (data_fd valid) */
	MDEVVER_VF_DATA_FD = 1u << 2,
	/* the data file was gone before its phase ended: bytes unknown */
	MDEVVER_VF_BYTES_LOST = 1u << 3,
	/* value holds what the feature GET returned */
	MDEVVER_VF_VALUE = 1u << 4,
	/* the device is an mdev device: type[] is its mdev type */
	MDEVVER_VF_MDEV = 1u << 5,
	/* STATE, enforcing: the permission hook (lsm/file_ioctl) judged this
	 * change; verdict/rule_id/judged_state say how */
	MDEVVER_VF_JUDGED = 1u << 6,
	/* STATE: the target the kernel used differs from judged_state, the
	 * one the permission hook read from the caller's memory (rewritten
	 * in between by another thread: docs/policy.md, TOCTOU) */
	MDEVVER_VF_TARGET_CHANGED = 1u << 7,
	/* STATE, enforcing with op=migrate rules: the change reached the
	 * driver without a judgement of the permission hook (never expected:
	 * reported, not hidden) */
	MDEVVER_VF_UNJUDGED = 1u << 8,
};

#define MDEVVER_DEVNAME_MAX	64

struct mdevver_vfio_event {
	__u32 kind;		/* MDEVVER_REC_VFIO */
	__u32 what;		/* enum mdevver_vfio_what */
	__u64 ts_ns;		/* completion, bpf_ktime_get_ns() */
	__u64 latency_ns;	/* entry to return of the call */
	__u64 cgroup_id;
	__s64 ret;		/* 0 / fd, or -errno */
	__u64 session;		/* one open of the device file: joins the
				 * events of a device session (0: none) */
	__u64 bytes;		/* STATE with MDEVVER_VF_BYTES */
	__u64 value;		/* FEATURE: migration flags, data size or state */
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 uid;
	__u32 feature;		/* FEATURE/STATE: the call's feature flags word */
	__u32 flags;		/* enum mdevver_vfio_flags */
	__s32 data_fd;		/* STATE with MDEVVER_VF_DATA_FD */
	__u8 from_state;	/* STATE: enum mdevver_mig_state */
	__u8 to_state;		/* STATE: the state asked for */
	__u8 mode;		/* enum mdevver_mode of the hook */
	__u8 __pad[5];
	char comm[MDEVVER_TASK_COMM_LEN];
	char device[MDEVVER_DEVNAME_MAX];	/* the device's name (mdev: UUID) */
	char parent[MDEVVER_DEVNAME_MAX];	/* its parent device */
	char type[MDEVVER_DEVNAME_MAX];		/* mdev type (MDEVVER_VF_MDEV) */
	/* STATE under a policy with op=migrate rules (enum mdevver_verdict,
	 * include/mdevver_enforce.h); verdict 0: no rule matched */
	__u32 rule_id;
	__u16 fail_closed;	/* enum mdevver_fail_closed */
	__u8 verdict;
	__u8 policy_gen;
	__u8 judged_state;	/* the target the policy judged */
	__u8 __pad2[7];
};

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(__builtin_offsetof(struct mdevver_vfio_event, kind) == 0,
	       "every ring record starts with its kind");
_Static_assert(__builtin_offsetof(struct mdevver_vfio_event, comm) == 96,
	       "mdevver_vfio_event header is 96 bytes");
_Static_assert(sizeof(struct mdevver_vfio_event) ==
	       96 + MDEVVER_TASK_COMM_LEN + 3 * MDEVVER_DEVNAME_MAX + 16,
	       "struct mdevver_vfio_event layout changed: update both sides");
#endif

#endif /* MDEVVER_VFIO_H */
