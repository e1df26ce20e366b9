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
	MDEVVER_OP_MIGRATE = 3,	/* policy only: a VFIO migration state change
				 * (include/mdevver_vfio.h), never an event's op */
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
	/* the kernel skipped the entry program (recursion protection): the
	 * call was rebuilt at its exit; no latency, no vendor view */
	MDEVVER_F_ENTRY_UNSEEN = 1u << 6,
	/* where the attribute sits (bpf/scope.bpf.h); exactly one is set in
	 * an event: an mdev type's attribute (.../mdev_supported_types/TYPE/),
	 * an mdev device's (its directory has an mdev_type link), or neither
	 * (traced only with --any-sysfs) */
	MDEVVER_F_SCOPE_TYPE = 1u << 7,
	MDEVVER_F_SCOPE_DEVICE = 1u << 8,
	MDEVVER_F_SCOPE_OTHER = 1u << 9,
	/* a packed record: the local_len bytes of the device's own string
	 * follow data[]'s data_len bytes, not at local[] (the ring record is
	 * MDEVVER_EVENT_MIN_LEN + data_len + local_len bytes long) */
	MDEVVER_F_LOCAL_PACKED = 1u << 10,
};
/* what the policy judges: an mdev type's or an mdev device's attribute */
#define MDEVVER_F_SCOPE_MDEV (MDEVVER_F_SCOPE_TYPE | MDEVVER_F_SCOPE_DEVICE)
#define MDEVVER_F_SCOPE_MASK \
	(MDEVVER_F_SCOPE_TYPE | MDEVVER_F_SCOPE_DEVICE | MDEVVER_F_SCOPE_OTHER)

/*
 * Records in the two ring buffers.  Checks and reads never share a ring: a
 * flood of reads (any local user may read a version attribute) can fill
 * the "reads" ring and lose reads, never a check (docs/delivery.md).
 * Every record starts with its kind.
 */
enum mdevver_record_kind {
	MDEVVER_REC_EVENT = 1,	/* struct mdevver_event */
	MDEVVER_REC_REPEAT = 2,	/* struct mdevver_repeat */
	MDEVVER_REC_VFIO = 3,	/* struct mdevver_vfio_event (mdevver_vfio.h) */
};

/* Classes of events; index of the per-class repeat slots and counters. */
enum mdevver_class {
	MDEVVER_CLASS_CHECK = 0,
	MDEVVER_CLASS_READ = 1,
	MDEVVER_CLASSES = 2,
};

/*
 * One completed read or check.  Variable-length parts are arrays with
 * explicit lengths; a record may be shorter than the struct: user space
 * accepts it when it holds the header, the path and data_len bytes of
 * data[], and reads local[] only when the record reaches past
 * local[local_len].  The BPF side sends a record sized to its contents:
 * the header, the path, data_len bytes and, with MDEVVER_F_LOCAL_PACKED,
 * the local_len bytes of the device's string right after them (where
 * they would not fit before local[], the whole struct is sent).
 */
struct mdevver_event {
	__u32 kind;		/* MDEVVER_REC_EVENT */
	__u32 flags;		/* enum mdevver_event_flags */
	__u64 ts_ns;		/* bpf_ktime_get_ns() at completion (CLOCK_MONOTONIC) */
	__u64 latency_ns;	/* entry to return of the store/show (or syscall) */
	__u64 cgroup_id;	/* cgroup v2 id of the task */
	__s64 ret;		/* return value: bytes accepted, or -errno */
	__s64 vendor_ret;	/* vendor check function's return (F_VENDOR_CHECK) */
	__u64 count;		/* bytes written / bytes the read produced */
	__u64 node_id;		/* kernfs_node.id of the attribute: ino and
				 * generation, never reused for another node
				 * while the kernel runs (user-space caches key
				 * facts of the node on it) */
	__u32 run_slot;		/* this event starts a run of identical repeats
				 * in repeat slot run_slot of its class ... */
	__u32 run_gen;		/* ... with this generation; 0: starts no run */
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u32 data_len;		/* valid bytes in data[] */
	__u32 local_len;	/* valid bytes in local[] */
	__u32 vendor_remote_len; /* strlen() of the string the vendor compared */
	__u8 op;		/* enum mdevver_op */
	__u8 mode;		/* enum mdevver_mode */
	__u8 path_depth;	/* valid entries in path[] */
	/* enforcement (include/mdevver_enforce.h); all zero when tracing */
	__u8 verdict;		/* enum mdevver_verdict */
	__u8 policy_gen;	/* generation rule_id belongs to */
	__u8 __pad;
	__u16 fail_closed;	/* enum mdevver_fail_closed: facts a deny lacked
				 * (JSON "fail_closed") */
	__u32 rule_id;		/* the matching rule (verdict != NONE) */
	__u32 __pad2;
	char comm[MDEVVER_TASK_COMM_LEN];
	/* path[0] is the attribute, path[1] its directory, ... towards /sys */
	char path[MDEVVER_PATH_DEPTH][MDEVVER_NAME_MAX];
	/* data before local: writev gathers into data[] and the verifier
	 * bounds each piece against data[] + local[] (see syscall mode) */
	char data[MDEVVER_DATA_MAX];
	char local[MDEVVER_LOCAL_MAX];
};

#define MDEVVER_EVENT_HEADER_LEN	__builtin_offsetof(struct mdevver_event, comm)
/* The shortest event record user space accepts (no data, no local). */
#define MDEVVER_EVENT_MIN_LEN		__builtin_offsetof(struct mdevver_event, data)

/*
 * Coalescing of identical repeats (docs/delivery.md).  A call identical to
 * the previous one of the same thread in its class (same kernfs node, op,
 * bytes, result, verdict, task facts) is not sent as an event: it adds one
 * to the pending count of that thread's run.  A run is started by an event
 * with run_gen != 0 (the "template" of the run) and lives in one repeat
 * slot; generations come from one global counter, so (class, slot, gen)
 * names a run for as long as the tracer runs.
 *
 * Slot word: gen << 32 | pending.  Every change of a word is atomic, and
 * whoever takes pending repeats out of a word (an xchg or cmpxchg that sets
 * pending to 0) reports exactly those:
 *   - BPF, when a thread starts a new run in a slot (its own next run, or a
 *     thread hashed to the same slot): xchg(word, newgen << 32) and, when
 *     the old pending count n > 0, a struct mdevver_repeat {old gen, n} is
 *     reserved in the class's ring *before* the new run's event (ring order
 *     is reservation order); if it cannot be reserved, n is added to the
 *     class's lost counter.
 *   - user space, after draining the rings: for a slot whose word has
 *     pending > 0 and whose gen is the gen of the last template it consumed
 *     for that slot, cmpxchg(word, w, gen << 32) and emit the template
 *     once more with count = pending, time = last_ts.  A gen it has no
 *     template for yet is left for the next round (the template is still
 *     in the ring).  After the final drain at exit, pending repeats of runs
 *     whose template never arrived are counted lost (their class).
 * A run is only started when its template was reserved, so every pending
 * repeat has a template in the ring or already consumed.
 */
#define MDEVVER_REPEAT_SLOTS	1024	/* per class; a power of two */
#define MDEVVER_REPEAT_DATA_MAX	256	/* longer bytes are never coalesced */
#define MDEVVER_RUN_WORD(gen, pending)	(((__u64)(gen) << 32) | (__u32)(pending))
#define MDEVVER_RUN_GEN(word)		((__u32)((word) >> 32))
#define MDEVVER_RUN_PENDING(word)	((__u32)(word))

/* Element of the repeat_slots map (array, BPF_F_MMAPABLE, class-major:
 * index = class * MDEVVER_REPEAT_SLOTS + slot), mmapped by user space. */
struct mdevver_repeat_slot {
	__u64 word;		/* MDEVVER_RUN_WORD(gen, pending) */
	__u64 last_ts;		/* ts_ns of the latest repeat counted */
};

/* Ring record: repeats of run (slot, gen) taken out of their slot by BPF. */
struct mdevver_repeat {
	__u32 kind;		/* MDEVVER_REC_REPEAT */
	__u32 slot;
	__u32 gen;
	__u8 op;		/* enum mdevver_op: the run's class */
	__u8 __pad[3];
	__u64 count;		/* identical repeats of the run's template */
	__u64 ts_ns;		/* the latest of them */
};

/* Key of the attribute-name filter map: a NUL-padded name. */
struct mdevver_attr_name {
	char name[MDEVVER_NAME_MAX];
};

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(struct mdevver_event) ==
	       120 + MDEVVER_TASK_COMM_LEN +
	       MDEVVER_PATH_DEPTH * MDEVVER_NAME_MAX +
	       MDEVVER_LOCAL_MAX + MDEVVER_DATA_MAX,
	       "struct mdevver_event layout changed: update both sides");
_Static_assert(__builtin_offsetof(struct mdevver_event, comm) == 120,
	       "mdevver_event header is 120 bytes");
_Static_assert(__builtin_offsetof(struct mdevver_event, kind) == 0 &&
	       __builtin_offsetof(struct mdevver_repeat, kind) == 0,
	       "every ring record starts with its kind");
_Static_assert(sizeof(struct mdevver_repeat) == 32,
	       "mdevver_repeat layout changed: update both sides");
_Static_assert(sizeof(struct mdevver_repeat_slot) == 16,
	       "mdevver_repeat_slot layout changed: update both sides");
_Static_assert((MDEVVER_REPEAT_SLOTS & (MDEVVER_REPEAT_SLOTS - 1)) == 0,
	       "MDEVVER_REPEAT_SLOTS must be a power of two");
_Static_assert(__builtin_offsetof(struct mdevver_event, local) ==
	       __builtin_offsetof(struct mdevver_event, data) + MDEVVER_DATA_MAX,
	       "local[] must follow data[] (writev gather bound)");
_Static_assert(sizeof(struct mdevver_attr_name) == MDEVVER_NAME_MAX,
	       "mdevver_attr_name is a bare name");
#endif

#endif /* MDEVVER_TRACE_H */
