/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * maps.bpf.h - every map, global and configuration value of the BPF
 * object, in one place, with the structs they hold.  The code that uses
 * them: capture.bpf.h (in-flight calls, what is watched), policy.bpf.h
 * (the enforcement maps, filled by user/enforce/policy_maps.c from
 * include/mdevver_enforce.h's layout), delivery.bpf.h (rings, repeat runs).
 * User space reaches them through the skeleton: names here are its names
 * (and the pinned names of user/enforce/enforce.c's shared_maps[]).
 */
#ifndef MDEVVER_MAPS_BPF_H
#define MDEVVER_MAPS_BPF_H

#include "compat.bpf.h"
#include "mdevver_trace.h"
#include "mdevver_enforce.h"
#include "mdevver_vfio.h"

/* ---- configuration, fixed before load (rodata) -------------------------- */

const volatile __u32 self_tgid = 0;	/* the tracer itself: never traced */
const volatile __u32 targ_tgid = 0;	/* -p */
const volatile bool filter_comm = false;
const volatile char targ_comm[MDEVVER_TASK_COMM_LEN] = {};	/* -c */
const volatile bool failed_only = false;	/* -x */

/* enforce --strict (delivery.bpf.h) */
const volatile bool strict = false;

/* Which program instance's events reach the ring: an `enforce` that adopts
 * pinned programs switches state[INSTANCE] once its own are attached, so the
 * hand-over neither doubles nor drops events.  0 for the plain tracer. */
const volatile __u64 instance_id = 0;

/* address of vfio.ko's vfio_device_fops (vfio_dev.bpf.h); 0: unknown */
const volatile __u64 vfio_device_fops_addr = 0;

/* --any-sysfs (rodata): watched names outside an mdev layout too */
const volatile bool any_sysfs = false;

/* The programs are fentry/fexit and bpf_get_current_task_btf() exists:
 * the current task's fields are plain loads, not probe-read helper calls
 * (set by user/core/attach.c). */
const volatile bool task_btf = false;

/* ---- in-flight calls and what is watched (capture.bpf.h, scope.bpf.h) --- */

/* enforcement decisions in flight (LRU: decisions) */
#define MDEVVER_INFLIGHT_MAX	8192

/* Calls not traced because every slot of the thread's window in the thread
 * table was busy (thread_slots below), per class (enum mdevver_class);
 * read by user space through the mmapped .bss.  Ring-full losses are
 * counted in delivery.bpf.h. */
__u64 untracked[MDEVVER_CLASSES] = {};
/*
 * Calls whose exit program never ran (the kernel skipped it: recursion
 * protection where tracing programs can be preempted, kretprobe maxactive):
 * found when the thread's next call finds its entry still there.  Calls
 * begun and not ended: user space counts what is left when tracing stops
 * (programs detached) as not delivered.
 */
__u64 exit_unseen[MDEVVER_CLASSES] = {};
__s64 open_calls[MDEVVER_CLASSES] = {};

/* State of one call between entry and exit (its thread's slot). */
struct inflight {
	__u64 start_ns;
	union {			/* what the call works on, by mode */
		const void *target;
		struct kernfs_open_file *of;	/* store (sysfs_kf_write) */
		struct seq_file *sf;		/* show (sysfs_kf_seq_show) */
		struct kernfs_node *kn;		/* syscall mode: the file's node */
	};
	struct kernfs_node *node;	/* the attribute's node, and its id */
	__u64 node_id;
	const void *buf;	/* store/syscall buffer, or iovec array */
	__u64 count;		/* bytes (or iovcnt for writev) */
	__u64 start_pos;	/* where the call starts: show: sf->count at
				 * entry; syscall: the file's f_pos */
	const void *vendor_buf;	/* get_version()'s buf argument */
	__s64 vendor_ret;
	__u32 vendor_remote_len;
	__u32 local_len;
	__u32 flags;
	__u8 op;
	__u8 vectored;
	/* enforcement: the store-time re-check's verdict (policy.bpf.h) */
	__u8 verdict;
	__u8 policy_gen;
	__u32 rule_id;
	__u16 fail_closed;
};

/*
 * The device's own string (up to a page) is kept out of struct inflight so
 * that the thread table does not hold 8 KiB per slot: only calls
 * that reach the vendor functions fill it, per CPU.  The vendor function
 * and the end of the store/show it runs in do not sleep in between, but a
 * preemption could still hand the CPU to another traced call: owner and
 * start_ns say whose text it is, and a mismatch drops it rather than
 * reporting another call's string.
 */
struct vendor_text {
	__u64 owner;		/* pid_tgid of the call that wrote local[] */
	__u64 start_ns;		/* ... and that call's start */
	char local[MDEVVER_LOCAL_MAX];
	char remote[MDEVVER_LOCAL_MAX];	/* scratch for strlen(remote) */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MDEVVER_ATTR_NAMES_MAX);
	__type(key, struct mdevver_attr_name);
	__type(value, __u8);
} attr_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vendor_text);
} vendor_texts SEC(".maps");

/* Enforcement state shared by every program instance (mdevver_enforce.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MDEVVER_STATE_MAX);
	__type(key, __u32);
	__type(value, __u64);
} enforce_state SEC(".maps");

/*
 * The answer for a node, by kernfs node id (unique for the node's life, never
 * reused): what is settled for good -- a name that is not watched (0; names
 * of files never change, attr_names is fixed at load), or an mdev layout.
 * Not cached: a watched name outside any layout, which may still become one
 * (a device's mdev_type link is made after its attributes).  So an
 * unrelated sysfs access that comes again costs one lookup, not a name read.
 */
#define MDEVVER_SCOPE_CACHE	8192

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MDEVVER_SCOPE_CACHE);
	__type(key, __u64);
	__type(value, __u32);
} scope_cache SEC(".maps");

/*
 * In front of it, for the common answer "not watched": a direct-mapped
 * table of node ids known not to be watched.  An array lookup is a few
 * instructions where a hash lookup is a hundred; a slot holds one whole id
 * (one aligned 8-byte store), so a hit is exact: only a node found not
 * watched ever has its id written there.
 */
#define MDEVVER_UNWATCHED_SLOTS	1024

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MDEVVER_UNWATCHED_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} unwatched SEC(".maps");

/* ---- the policy (policy.bpf.h) ----------------------------------------- */

#define JUDGE_KEYS_MAX	32	/* >= 2 * PREFIX_DEPTH + 11; a power of two */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * MDEVVER_RULES_MAX);
	__type(key, __u32);
	__type(value, struct mdevver_rule);
} rules SEC(".maps");

/* written and read by user space only (event names after adoption) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * MDEVVER_RULES_MAX);
	__type(key, __u32);
	__type(value, struct mdevver_rule_name);
} rule_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MDEVVER_INDEX_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct mdevver_index_key);
	__type(value, struct mdevver_rule_list);
} rule_index SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, MDEVVER_PREFIXES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct mdevver_prefix_key);
	__type(value, struct mdevver_prefix_set);
} prefixes SEC(".maps");

/* LRU: attributes come and go with devices; a forgotten one is re-learned
 * at its next read. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MDEVVER_NODES_MAX);
	__type(key, __u64);
	__type(value, struct mdevver_node);
} nodes SEC(".maps");

/*
 * What judge_node() found out about a watched mdev attribute, by kernfs
 * node id (never reused): where it sits and its names' hashes, so that a
 * judgement neither walks the directories nor reads and hashes the names
 * again.  Only attributes in an mdev layout are entered: for the others the
 * answer can still change (a device directory gets its mdev_type link
 * after its attributes).  Per instance, not pinned: derived from the kernel
 * alone.
 */
struct node_place {
	__u64 attr_hash;
	__u64 type_hash;
	__u64 parent_hash;
	__u32 scope;		/* MDEVVER_F_SCOPE_TYPE or _DEVICE */
	__u32 known;		/* MDEVVER_RK_ATTR | _PARENT, and _TYPE if known */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MDEVVER_NODES_MAX);
	__type(key, __u64);
	__type(value, struct node_place);
} places SEC(".maps");

/* The permission hook's verdict, picked up by the event of the same call. */
struct decision {
	const void *kn;
	__u64 remote_hash;	/* the bytes the hook judged (remote_known) */
	__u32 rule_id;
	__u16 fail_closed;
	__u8 verdict;		/* NONE: judged, nothing matched */
	__u8 gen;
	__u8 remote_known;
	__u8 strict_admitted;	/* --strict: ring space promised (delivery.bpf.h) */
	__u8 __pad[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MDEVVER_INFLIGHT_MAX);
	__type(key, __u64);
	__type(value, struct decision);
} decisions SEC(".maps");

struct judge_key {
	__u16 kind;
	__u16 __pad[3];
	__u64 value;
};

struct judge {
	__u32 busy;		/* claimed (cmpxchg 0 -> 1) */
	__u32 self;		/* its own index in judges (judge_call) */
	/* what the check is */
	__u64 remote_hash;
	__u64 local_hash;
	__u64 type_hash;
	__u64 parent_hash;
	__u64 attr_hash;
	__u64 comm_hash;
	__u64 cgroup;
	__u32 uid;
	__u32 known;		/* MDEVVER_RK_* whose value is known */
	__u32 remote_missing;	/* enum mdevver_fail_closed: why the remote
				 * bytes are not known */
	__u32 remote_len;	/* without the trailing newline */
	__u32 raw_len;		/* as written */
	__u32 gen;
	__u32 kinds;		/* index kinds present in gen (bit per kind) */
	__u32 gen_flags;	/* enum mdevver_gen_flags of gen */
	__u32 place_given;	/* place holds the node's entry of places */
	__u64 node_id;		/* the attribute's kernfs node id (judge_call) */
	struct node_place place;	/* judge_node() fills it on a miss */
	__u8 op;
	__u8 state;		/* op=migrate: the target state */
	__u8 __pad[2];
	struct mdevver_prefix_set rpfx;
	struct mdevver_prefix_set lpfx;
	/* the index keys of this check */
	__u32 n_keys;
	__u32 __pad2;
	struct judge_key keys[JUDGE_KEYS_MAX];
	struct mdevver_index_key cur;
	/* the result: deny beats audit, then the earlier rule */
	__u32 best_id;
	__u32 best_fail_closed;
	__u8 best_action;
	__u8 __pad3[3];
	__u32 scope;		/* judge_node: MDEVVER_F_SCOPE_TYPE or _DEVICE */
	char comm[MDEVVER_TASK_COMM_LEN];
	char name[MDEVVER_NAME_MAX];
	struct mdevver_prefix_key lpm;
	struct mdevver_node node;	/* learn_local() builds its entry here */
	/* the bytes judged: one page; twice that so a writev piece bounded
	 * separately by offset and length stays inside for the verifier */
	union {
		__u8 bytes[2 * MDEVVER_DATA_MAX];
		__u64 words[2 * MDEVVER_DATA_MAX / 8];	/* hash_bytes() */
	};
};

/*
 * Scratch for judgements, far larger than the stack.  Not per CPU: BPF LSM
 * and tracing programs run with migration disabled but may be preempted
 * (preempt=full, PREEMPT_RT, the lazy preemption of newer kernels), and a
 * second judgement on the same CPU would then write into the first one's
 * scratch.  Each judgement claims a free slot with cmpxchg instead and
 * holds it to the end; a task preempted mid-way keeps its slot.
 */
#define JUDGE_SLOTS	64
#define JUDGE_TRIES	8

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, JUDGE_SLOTS);
	__type(key, __u32);
	__type(value, struct judge);
} judges SEC(".maps");

/* A judgement found no free slot (JUDGE_TRIES of them busy): the check is
 * refused without a rule and counted here (user space reports it). */
__u64 judge_slots_busy = 0;

/* ---- delivery (delivery.bpf.h) ----------------------------------------- */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);	/* user space sizes it (--ringbuf) */
} checks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 2 * 1024 * 1024);	/* user space sizes it */
} reads SEC(".maps");

/*
 * Where an event is built before it goes to its ring sized to what it
 * holds (delivery.bpf.h send_event): a ring reservation's size must be a
 * constant, and a whole struct mdevver_event is 9 KiB whatever its bytes.
 * Per CPU, two of them: a program runs on one CPU to its end (migration
 * disabled), but a tracing program can be preempted by a task whose exit
 * program delivers too; busy says which one is taken (compare-and-swap),
 * and a third program on the same CPU at once finds none (counted lost).
 */
#define MDEVVER_EVENT_SCRATCH 2
struct event_scratch {
	__u64 busy;
	struct mdevver_event e;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MDEVVER_EVENT_SCRATCH);
	__type(key, __u32);
	__type(value, struct event_scratch);
} event_scratch SEC(".maps");

/* Pending repeat counts, mmapped by user space (class-major). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, MDEVVER_CLASSES * MDEVVER_REPEAT_SLOTS);
	__type(key, __u32);
	__type(value, struct mdevver_repeat_slot);
} repeat_slots SEC(".maps");

/* Calls not delivered because their class's ring was full (a repeat record
 * that found no room adds the repeats it carried).  Read by user space
 * through the mmapped .bss. */
__u64 lost[MDEVVER_CLASSES] = {};
/* enforce --strict: checks refused (ENOBUFS) because no ring space could be
 * promised to their record. */
__u64 strict_refused = 0;

/* Set by user space once the kernel reports a skipped run of one of our
 * programs (call_at_exit): until then an exit without its entry costs
 * nothing more than the in-flight lookup, on kernels that never skip. */
__u32 recover_skipped = 0;

/*
 * What makes two calls of one thread identical, besides their bytes.  The
 * owner is part of it: an LRU entry reused under a thread (map pressure)
 * then never matches.
 */
struct run_key {
	__u64 owner;		/* pid_tgid */
	__u64 node_id;
	__s64 ret;
	__s64 vendor_ret;
	__u64 cgroup_id;
	__u64 uid_gid;
	__u32 ppid;
	__u32 data_len;
	__u32 rule_id;
	__u32 flags;
	__u32 local_len;
	__u32 vendor_remote_len;
	__u16 fail_closed;
	__u8 op;
	__u8 mode;
	__u8 verdict;
	__u8 policy_gen;
	__u8 __pad[2];
	char comm[MDEVVER_TASK_COMM_LEN];
};

struct run_class {
	__u32 gen;		/* 0: no run */
	__u32 slot;
	__u32 next_gen;		/* run started, its first event not sent yet */
	__u32 __pad;
	struct run_key key;
	char data[MDEVVER_REPEAT_DATA_MAX];
};

/* Per thread and class (a slot of its class's thread table), touched only
 * by that thread: its current run and room for the call being compared
 * (no per-CPU scratch, which another task could overwrite when this one
 * is preempted). */
struct run_state {
	struct run_key cand_key;
	char cand[MDEVVER_REPEAT_DATA_MAX];
	struct run_class run;
};

/*
 * A thread's call and its runs: one slot of the thread table, an array
 * indexed by the thread id, in every attach mode.  Looking a slot up is a
 * bounds check and an add that the verifier inlines.  Task storage, which
 * held them before, cost a helper call of its own (~206 ns on 6.1 under
 * the bench's clock, four per check: the entry, both vendor hooks and the
 * exit), and 6.1's kprobe and tracepoint programs may not use it (they
 * had hash entries made and deleted per call).
 *
 * claim: the thread id of the slot's owner (high 32 bits) and BUSY (a
 * call begun, its exit not seen yet).  A thread looks for its slot at its
 * id's index and the MDEVVER_THREAD_PROBES - 1 after it; a call's entry
 * takes one by compare-and-swap (slot_claim(): the thread's own, else the
 * first not busy, whose state is then reset), its exit clears BUSY.  An
 * idle slot keeps its owner, so a thread finds its runs again, until a
 * thread whose window it is in needs it.  Nothing is created or freed per
 * call; a call that finds every slot of its window busy is counted
 * untracked.
 *
 * One table per class (checks, reads), as there are two rings: any local
 * user may read a version attribute, and threads that read in a loop, with
 * ids chosen to cover a checking thread's window, must not leave its check
 * without a slot.  A check's slot is taken only by checks (writers of the
 * attribute: root).
 */
#define MDEVVER_THREAD_SLOTS	1024	/* per class */
#define MDEVVER_THREAD_PROBES	4
#define SLOT_BUSY		1ull

struct thread_slot {
	struct inflight call;	/* valid while busy */
	__u64 claim;		/* owner's thread id << 32 | SLOT_BUSY */
	/* the scope of the node of the owner's last store, taken from
	 * scope_cache (a settled answer: node ids are never reused), so a
	 * thread that checks the same attribute again skips that lookup.
	 * Read before the slot is claimed: scope_check (node ^ scope ^
	 * SCOPE_SALT) tells a torn pair from a whole one */
	__u64 scope_node;
	__u64 scope_check;
	__u32 scope;
	__u32 __pad;
	struct run_state runs;
};

#define SCOPE_SALT	0x6d64657673636f70ull

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MDEVVER_CLASSES * MDEVVER_THREAD_SLOTS);
	__type(key, __u32);
	__type(value, struct thread_slot);
} thread_slots SEC(".maps");

/* ---- the mdev/VFIO lifecycle (migration.bpf.h) -------------------------- */

/* One open of a device file: its session and migration bookkeeping. */
struct vfio_session {
	__u64 id;
	struct file *data_file;	/* the data file of the current phase */
	__s32 data_fd;
	__u32 data_tgid;	/* whose fd table holds it */
	__u8 state;		/* last state seen (enum mdevver_mig_state) */
	__u8 __pad[7];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);			/* struct file * of the device */
	__type(value, struct vfio_session);
} vfio_sessions SEC(".maps");

/* A lifecycle call in flight, per thread (entry -> exit). */
struct vfio_call {
	__u64 start_ns;
	__u64 file;		/* device file (ioctl) */
	__u64 arg;		/* user pointer of the ioctl argument */
	__u64 obj;		/* create: struct mdev_type *; remove: mdev */
	__u32 cmd;
	__u32 feature;		/* the feature word the call carried */
	__u8 to_state;
	__u8 from_state;
	__u8 from_driver;
	/* the permission hook's judgement of this state change, if any */
	__u8 judged;		/* 1: judged (verdict..judged_state valid) */
	__u8 verdict;		/* enum mdevver_verdict */
	__u8 policy_gen;
	__u8 judged_state;
	__u32 rule_id;
	__u16 fail_closed;
	__u8 __pad3[3];
	__u64 bytes;		/* state change: f_pos of the phase's data file
				 * at entry (drivers reset it when the change
				 * disables the file) */
	__u32 bytes_flags;	/* MDEVVER_VF_BYTES or _BYTES_LOST */
	__u32 __pad2;
	__u8 uuid[16];		/* create */
	/* remove: the device's names, read at entry (gone at exit) */
	char device[MDEVVER_DEVNAME_MAX];
	char parent[MDEVVER_DEVNAME_MAX];
	char type[MDEVVER_DEVNAME_MAX];
	__u32 names_flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);			/* pid_tgid */
	__type(value, struct vfio_call);
} vfio_calls SEC(".maps");

/*
 * What the ioctl permission hook (lsm/file_ioctl) decided about an allowed
 * state change, per thread, for the tracing hook that sees the change next
 * (migration.bpf.h): the verdict goes into its record, and the target it
 * judged is compared with the one the kernel then used.  LRU: an entry the
 * tracing hook never takes (not attached, task filtered) is simply
 * replaced.
 */
struct mig_decision {
	__u64 file;
	__u32 rule_id;
	__u16 fail_closed;
	__u8 verdict;		/* enum mdevver_verdict: NONE or AUDIT */
	__u8 gen;
	__u8 state;		/* the target judged */
	__u8 __pad[7];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);		/* pid_tgid */
	__type(value, struct mig_decision);
} mig_decisions SEC(".maps");

/* Lifecycle records that found no ring space (user space reports them). */
__u64 lost_lifecycle = 0;
__u64 session_seq = 0;

#endif /* MDEVVER_MAPS_BPF_H */
