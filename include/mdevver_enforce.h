/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * mdevver_enforce.h - the single definition of the enforcement maps shared by
 * bpf/policy.bpf.h (the in-kernel matcher) and user/policy_compile.c (which
 * turns a parsed policy into these entries).
 *
 * Matching without a cost per rule: every rule is filed under exactly one
 * index key (its most selective exact key: a string hash, a prefix id, a uid,
 * ...).  For one check the kernel computes the handful of index keys the
 * check has, looks each up, and verifies only the rules filed there.  Prefix
 * rules go through one LPM trie whose entries carry the ids of every rule
 * prefix the looked-up string starts with.
 *
 * Reload without a gap: every entry carries a generation (0 or 1).  User
 * space fills the inactive generation, then flips state[STATE_ACTIVE_GEN].
 * An evaluation announces itself in state[STATE_USERS0 + gen] before it
 * trusts gen (see policy_enter()), and user space touches a generation's
 * entries only once it is inactive and its user count has drained to zero.
 */
#ifndef MDEVVER_ENFORCE_H
#define MDEVVER_ENFORCE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define MDEVVER_RULES_MAX	16384	/* per generation */
#define MDEVVER_BUCKET_MAX	32	/* rule ids per index page */
#define MDEVVER_BUCKET_PAGES	512	/* pages per index key: 16384 rules */
/* per generation: one primary entry per rule, plus the unknown-fact pages
 * of three kinds, each rounded up separately */
#define MDEVVER_INDEX_MAX	(2 * (MDEVVER_RULES_MAX + 1024))
#define MDEVVER_PREFIX_MAX	251	/* bytes of a prefix rule's value */
#define MDEVVER_PREFIX_DEPTH	8	/* nested rule prefixes of one string */
#define MDEVVER_PREFIXES_MAX	(2 * MDEVVER_RULES_MAX)
#define MDEVVER_NODES_MAX	4096	/* attributes with a learned local string */

/* Bits of mdevver_rule.keys: which keys the rule has. */
enum mdevver_rule_keys {
	MDEVVER_RK_REMOTE	 = 1u << 0,	/* remote exact: .remote = hash */
	MDEVVER_RK_REMOTE_PREFIX = 1u << 1,	/* remote prefix: .remote = prefix id */
	MDEVVER_RK_LOCAL	 = 1u << 2,
	MDEVVER_RK_LOCAL_PREFIX	 = 1u << 3,
	MDEVVER_RK_TYPE		 = 1u << 4,
	MDEVVER_RK_PARENT	 = 1u << 5,
	MDEVVER_RK_ATTR		 = 1u << 6,
	MDEVVER_RK_OP		 = 1u << 7,
	MDEVVER_RK_COMM		 = 1u << 8,
	MDEVVER_RK_UID		 = 1u << 9,
	MDEVVER_RK_CGROUP	 = 1u << 10,
	MDEVVER_RK_STATE	 = 1u << 11,	/* op=migrate: .state = target state */
};

enum mdevver_action {
	MDEVVER_ACT_NONE = 0,
	MDEVVER_ACT_DENY = 1,
	MDEVVER_ACT_AUDIT = 2,
};

/* The verdict carried by an event (mdevver_event.verdict). */
enum mdevver_verdict {
	MDEVVER_VERDICT_NONE = 0,	/* no rule matched (or not enforcing) */
	MDEVVER_VERDICT_DENIED = 1,	/* refused with EPERM before the driver */
	MDEVVER_VERDICT_WOULD_DENY = 2,	/* --dry-run: a deny rule matched */
	MDEVVER_VERDICT_AUDIT = 3,	/* an audit rule matched; allowed */
	MDEVVER_VERDICT_KILLED = 4,	/* bytes changed after the permission
					 * check to a denied string: the writer
					 * was killed before seeing the result */
};

/* Why a deny rule matched without all its keys known (fail closed). */
/* Facts a deny rule matched without, so it failed closed (an event's
 * fail_closed bits; MDEVVER_UNK_*: the fact was unknown). */
enum mdevver_fail_closed {
	MDEVVER_UNK_REMOTE_NOBUF = 1u << 0,	/* no user buffer: io_uring, splice, sendfile */
	MDEVVER_UNK_REMOTE_FAULT = 1u << 1,	/* user page not present */
	MDEVVER_UNK_LOCAL = 1u << 2,		/* device's own string not learned yet */
	MDEVVER_UNK_TYPE = 1u << 3,		/* mdev type of a device attribute unknown */
	MDEVVER_UNK_REMOTE_LONG = 1u << 4,	/* more bytes than one page */
	MDEVVER_UNK_PREEMPTED = 1u << 5,	/* no scratch slot was free (all
						 * held by preempted judgements):
						 * refused without a rule */
	MDEVVER_UNK_IOCTL_ARG = 1u << 6,	/* op=migrate: the ioctl's
						 * argument was not in memory
						 * (not readable without a
						 * fault): refused without a rule */
};

/* rule_id of a refusal no rule made (MDEVVER_UNK_PREEMPTED) */
#define MDEVVER_RULE_NONE	0xffffffffu

/* Keys of the enforce_state array. */
enum mdevver_state_key {
	MDEVVER_STATE_ACTIVE_GEN = 0,
	MDEVVER_STATE_USERS0 = 1,	/* evaluations in progress on gen 0 */
	MDEVVER_STATE_USERS1 = 2,	/* ... gen 1 */
	MDEVVER_STATE_MODE = 3,		/* enum mdevver_enforce_mode */
	/* 4: unused (the enforcing process is judged like any other) */
	MDEVVER_STATE_GEN_FLAGS0 = 5,	/* enum mdevver_gen_flags of gen 0 */
	MDEVVER_STATE_GEN_FLAGS1 = 6,
	MDEVVER_STATE_LAYOUT = 7,	/* MDEVVER_ENFORCE_LAYOUT, for adoption */
	MDEVVER_STATE_INSTANCE = 8,	/* the program instance whose events count */
	MDEVVER_STATE_LOSS_REPORTED = 9, /* losses the reporting process has shown */
	MDEVVER_STATE_RUN_GEN = 10,	/* last repeat-run generation handed out */
	MDEVVER_STATE_STRICT_ADMITTED = 11, /* --strict: ring bytes promised to
					 * checks admitted, not yet reserved */
	MDEVVER_STATE_MAX = 16,
};

enum mdevver_enforce_mode {
	MDEVVER_ENFORCE_OFF = 0,	/* tracing only */
	MDEVVER_ENFORCE_DRY_RUN = 1,	/* judge, report would-deny, allow */
	MDEVVER_ENFORCE_ON = 2,		/* judge and refuse */
};

enum mdevver_gen_flags {
	MDEVVER_GEN_LOADED = 1u << 0,	/* this generation holds a policy */
	MDEVVER_GEN_READ_RULES = 1u << 1,	/* some rule has op=read */
	MDEVVER_GEN_CONTENT = 1u << 2,	/* some rule looks at remote bytes */
	MDEVVER_GEN_MIGRATE_RULES = 1u << 3,	/* some rule has op=migrate: the
						 * ioctl hook judges state changes */
	/* What no rule of the generation looks at: the kernel then does not
	 * find it out (a lookup in nodes, in the prefix trie).  Said in the
	 * negative so that a generation written without these bits (an older
	 * enforcer, adopted) is judged with everything looked up. */
	MDEVVER_GEN_NO_LOCAL = 1u << 4,		/* no local= (exact or prefix) */
	MDEVVER_GEN_NO_REMOTE_PREFIX = 1u << 5,	/* no remote=PREFIX* */
	MDEVVER_GEN_NO_TASK = 1u << 6,		/* no comm=, uid=, cgroup= */
};
/* Bits MDEVVER_GEN_KIND_SHIFT + kind: the generation has index entries of
 * that kind; the kernel looks up no key of a kind nobody filed under. */
#define MDEVVER_GEN_KIND_SHIFT	8

/* Bumped whenever a map below changes: a pinned state of another layout is
 * never adopted (unpin it first). */
#define MDEVVER_ENFORCE_LAYOUT	5

/* Index kinds (mdevver_index_key.kind). */
enum mdevver_index_kind {
	MDEVVER_IDX_REMOTE = 1,		/* value: hash of the remote string */
	MDEVVER_IDX_PREFIX = 2,		/* value: prefix id (remote) */
	MDEVVER_IDX_LOCAL = 3,		/* value: hash of the local string */
	MDEVVER_IDX_LOCAL_PREFIX = 4,	/* value: prefix id (local) */
	MDEVVER_IDX_TYPE = 5,
	MDEVVER_IDX_PARENT = 6,
	MDEVVER_IDX_ATTR = 7,
	MDEVVER_IDX_COMM = 8,		/* value: hash of the 16-byte comm */
	MDEVVER_IDX_UID = 9,
	MDEVVER_IDX_CGROUP = 10,
	MDEVVER_IDX_OTHER = 11,		/* rules with none of the above */
	/* deny rules filed under a key the check may not know (value 0):
	 * consulted only when that fact is unknown, so they fail closed */
	MDEVVER_IDX_UNK_REMOTE = 12,
	MDEVVER_IDX_UNK_LOCAL = 13,
	MDEVVER_IDX_UNK_TYPE = 14,
	MDEVVER_IDX_STATE = 15,		/* op=migrate: value: the target state */
};

/* rules map: key gen * MDEVVER_RULES_MAX + id; id = rule's place in the file. */
struct mdevver_rule {
	__u64 remote;		/* hash, or prefix id */
	__u64 local;		/* hash, or prefix id */
	__u64 type;		/* hashes of the names */
	__u64 parent;
	__u64 attr;
	__u64 cgroup;
	__u32 keys;		/* enum mdevver_rule_keys */
	__u32 negate;		/* keys written KEY!=VALUE (comm, uid, cgroup) */
	__u32 uid;
	__u8 action;		/* enum mdevver_action */
	__u8 op;		/* enum mdevver_op */
	__u8 state;		/* MDEVVER_RK_STATE: enum mdevver_mig_state */
	__u8 __pad;
	char comm[16];
};

struct mdevver_index_key {
	__u16 gen;
	__u16 kind;		/* enum mdevver_index_kind */
	__u32 page;		/* bucket page: ids 32*page .. */
	__u64 value;
};

struct mdevver_rule_list {
	__u32 n;		/* ids in this page; a full page may have a next */
	__u32 id[MDEVVER_BUCKET_MAX];
};

/* LPM key: data[0] is the generation, then the string; prefixlen in bits
 * counts the generation byte too. */
struct mdevver_prefix_key {
	__u32 prefixlen;
	__u8 data[1 + MDEVVER_PREFIX_MAX];
};

/* Every rule prefix (as a prefix id) that the looked-up string starts with. */
struct mdevver_prefix_set {
	__u32 n;
	__u32 __pad;
	__u64 id[MDEVVER_PREFIX_DEPTH];
};

/* rule_names map (key as rules): names for events, kept in the kernel so a
 * process that adopts pinned state can still name the rules it did not load. */
struct mdevver_rule_name {
	char name[64];
};

/* Learned per attribute (key: kernfs node id = the file's inode number):
 * the device's own string, from reads the kernel served, and the mdev type
 * of device-directory attributes, from user space (mdev_type link). */
struct mdevver_node {
	__u64 local_hash;
	__u64 type_hash;
	__u32 local_len;	/* bytes in local[] (after the newline is cut) */
	__u32 flags;		/* MDEVVER_NODE_* */
	__u8 local[MDEVVER_PREFIX_MAX + 1];
	__u8 __pad[4];
};

enum mdevver_node_flags {
	MDEVVER_NODE_LOCAL = 1u << 0,
	MDEVVER_NODE_TYPE = 1u << 1,
	MDEVVER_NODE_LOCAL_LONG = 1u << 2,	/* local longer than local[] */
};

/*
 * FNV-1a, 64 bit: the one string hash both sides use.  Not cryptographic:
 * a collision can only make a rule match a string it does not name (an extra
 * denial), never let a named string through.
 */
#define MDEVVER_FNV_OFFSET	0xcbf29ce484222325ULL
#define MDEVVER_FNV_PRIME	0x100000001b3ULL

static inline __u64 mdevver_hash_step(__u64 h, __u8 byte)
{
	return (h ^ byte) * MDEVVER_FNV_PRIME;
}

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(struct mdevver_rule) == 80, "mdevver_rule layout");
_Static_assert(sizeof(struct mdevver_index_key) == 16, "index key layout");
_Static_assert(sizeof(struct mdevver_rule_list) == 4 + 4 * MDEVVER_BUCKET_MAX,
	       "rule list layout");
_Static_assert(sizeof(struct mdevver_prefix_key) == 256,
	       "LPM key: 4 + 252 bytes (LPM data is at most 256 bytes)");
_Static_assert(sizeof(struct mdevver_prefix_set) == 8 + 8 * MDEVVER_PREFIX_DEPTH,
	       "prefix set layout");
_Static_assert(sizeof(struct mdevver_node) == 280, "node layout");
_Static_assert(sizeof(struct mdevver_rule_name) == 64, "rule name layout");
#endif

#endif /* MDEVVER_ENFORCE_H */
