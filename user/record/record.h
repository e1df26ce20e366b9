/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * record.h - the one typed record every sink consumes (docs/delivery.md).
 *
 * Data flows one way: a kernel event (struct mdevver_event, a repeat of a
 * run, a loss count) or, when reading logs (`top --replay`), one JSON line
 * becomes a struct record exactly once; the pipeline (sink.h) hands that
 * record to every sink.  Nothing downstream parses JSON that this process
 * wrote, and nothing re-derives facts a record already carries.
 *
 * Strings are (pointer, length) byte strings, not NUL-terminated in
 * general: bytes written to a version attribute may hold NUL or any byte.
 * They stay valid while the record is being emitted; a sink that keeps a
 * string copies it.  Every string may hold untrusted bytes (from the
 * kernel, a process or a file): sinks escape them before they reach a
 * terminal or a document (record/escape.h).
 */
#ifndef MDEVVER_RECORD_H
#define MDEVVER_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mdevver_trace.h"

/* Version of the JSON schema (docs/event-schema.md); fields only added. */
#define MDEVVER_SCHEMA_VERSION 1

struct bytes {
	const char *p;		/* NULL: absent ("null" in JSON) */
	size_t len;
};

enum record_kind {
	RECORD_START,		/* tracing began: mode, fallbacks, vendor probes */
	RECORD_CHECK,		/* a compatibility check (write), count >= 1 */
	RECORD_READ,		/* a read of the attribute, count >= 1 */
	RECORD_LOST,		/* events not delivered individually, by class */
	RECORD_ENFORCE,		/* a policy came into force, or a reload failed */
	RECORD_END,		/* tracing ended: totals */
	/* mdev create/remove, VFIO device open/close, a migration feature
	 * query or state change (VFIO migration uAPI v2) */
	RECORD_LIFECYCLE,
	/* one device session's migration, joined from its lifecycle
	 * records (record/migration.h) */
	RECORD_MIGRATION,
	RECORD_KINDS,
};

/* Facts of the attribute, derived from its kernfs node once and cached
 * (record/node_cache.h) or taken from a replayed record. */
struct record_node {
	struct bytes path;	/* "/sys/devices/.../version" */
	bool path_truncated;
	struct bytes attr;	/* "version", "migration_version", ... */
	struct bytes parent;	/* parent device: "0000:00:02.0" */
	struct bytes mdev_type;	/* "i915-GVTg_V5_4"; absent when unknown */
	struct bytes device;	/* mdev device (UUID) for device attributes */
};

/* RECORD_CHECK / RECORD_READ */
struct record_event {
	uint64_t count;		/* identical calls this record stands for (>= 1):
				 * 1 for a single event, n for n coalesced
				 * repeats of the run's first event */
	const char *mode;	/* "fentry", "kprobe", "syscall", "lsm" */
	/* where the attribute sits: "mdev-type", "mdev-device", "other"
	 * (--any-sysfs); NULL when not known (a log from before scope) */
	const char *scope;
	struct bytes comm;
	uint64_t cgroup_id;
	struct record_node node;
	struct bytes data;	/* bytes written / bytes the read returned */
	uint64_t len;		/* length the call carried (>= data.len) */
	int64_t ret;		/* bytes accepted, or -errno */
	const char *errno_name;	/* "EINVAL"; NULL when ret >= 0 */
	const char *outcome;	/* "compatible", "incompatible", "unsupported",
				 * "partial", "ok", "denied", "would-deny" */
	/* enforcement: verdict NULL when the call was not judged */
	const char *verdict;	/* "denied", "would-deny", "audit", "killed" */
	const char *rule;	/* rule name, "#N", or "(none: failed closed)" */
	const char *driver_outcome; /* the driver's answer (not for "denied") */
	uint64_t latency_ns;
	/* vendor layer (i915 gvt functions) */
	struct bytes local;	/* the device's own string as the driver built it */
	int64_t vendor_check_ret;
	uint32_t vendor_remote_len;
	uint32_t pid, tid, ppid, uid, gid;
	uint16_t fail_closed;	/* enum mdevver_fail_closed bits */
	bool truncated;		/* data holds fewer bytes than len */
	bool unreadable;	/* the bytes could not be read */
	bool has_local;		/* local is valid */
	bool local_truncated;
	bool has_vendor_check;	/* vendor_check_ret and _remote_len are valid */
};

/* RECORD_START */
struct record_start {
	const char *mode;
	const char *attempts;	/* "fentry: load: ...; kprobe: ..." or "" */
	bool vendor_get, vendor_check;
	/* lifecycle hooks attached: "mdev+vfio", "vfio", "mdev", "none";
	 * NULL in a replayed log from before them */
	const char *lifecycle;
	/* where host_id came from: "machine-id", or "boot-id" when the
	 * host has none (core/identity.h); NULL in logs from before */
	const char *host_id_from;
};

/* RECORD_LOST: counts since the previous lost record (lost = checks + reads),
 * and totals since start. */
struct record_lost {
	uint64_t lost;		/* = lost_checks + lost_reads */
	uint64_t lost_checks;
	uint64_t lost_reads;
	uint64_t total_lost;	/* ring full, all classes, since start */
	uint64_t total_untracked; /* in-flight table full, since start */
};

/* RECORD_ENFORCE */
struct record_enforce {
	const char *state;	/* "on", "dry-run" */
	const char *policy;	/* path */
	uint64_t rules;
	unsigned int generation;
	const char *error;	/* NULL: in force; else why a reload failed */
};

/* RECORD_END: totals since start. */
struct record_end {
	uint64_t events;	/* records of checks and reads delivered */
	uint64_t checks;	/* checks they stand for (sum of count) */
	uint64_t reads;		/* reads they stand for (sum of count) */
	uint64_t lost_checks;	/* checks not delivered (all causes) */
	uint64_t lost_reads;
	uint64_t total_lost;	/* as in RECORD_LOST */
	uint64_t total_untracked;
	uint64_t strict_refused; /* enforce --strict: checks refused unrecorded */
	uint64_t kernel_missed;	/* times the kernel skipped one of our programs
				 * (recursion protection, bpf_prog_info
				 * recursion_misses): calls of any attribute
				 * that may be missing, an upper bound */
	uint64_t lifecycle;	/* lifecycle records delivered */
	uint64_t lost_lifecycle; /* lifecycle records lost (ring full) */
};

/* Who did it: the task, and the VM or unit its cgroup names
 * (record/vm_name.h). */
struct record_actor {
	uint32_t pid, tid, uid;
	struct bytes comm;
	uint64_t cgroup_id;
	struct bytes vm;	/* libvirt: machine-qemu\x2d<id>\x2d<name>.scope */
	struct bytes unit;	/* the systemd unit of any other cgroup */
};

/* RECORD_LIFECYCLE */
struct record_lifecycle {
	const char *what;	/* "create", "remove", "open", "close",
				 * "query", "state" */
	const char *mode;	/* hook mode: "fentry", "kprobe" */
	struct record_actor who;
	struct bytes device;	/* mdev: the UUID */
	struct bytes parent;
	struct bytes mdev_type;	/* absent when not an mdev device */
	uint64_t session;	/* one open of the device file; 0 none */
	int64_t ret;
	const char *errno_name;	/* NULL when ret >= 0 */
	uint64_t latency_ns;
	/* "state" */
	const char *from;	/* "RUNNING", ...; "?" when not seen */
	const char *to;
	bool from_driver;	/* from came from the driver itself */
	int32_t data_fd;	/* -1: the change returned no data file */
	/* "state" under a policy with op=migrate rules (docs/policy.md) */
	bool judged;		/* the policy judged it (enforce or dry run) */
	bool target_changed;	/* the kernel used another target than judged_to */
	bool unjudged;		/* enforcing, yet it reached the driver unjudged */
	const char *judged_to;	/* the target the policy judged */
	const char *verdict;	/* "denied", "would-deny", "audit"; NULL: no rule */
	const char *rule;	/* the rule's name, "#N", "(none: failed closed)" */
	uint16_t fail_closed;	/* enum mdevver_fail_closed bits */
	/* "state", "close": what went through the data file of the phase */
	bool has_bytes;
	uint64_t bytes;
	bool bytes_lost;	/* the file was closed before: unknown */
	/* "query" */
	const char *feature;	/* "migration", "mig-device-state", "mig-data-size" */
	const char *access;	/* "get", "set", "probe" */
	bool has_value;
	uint64_t value;		/* flags, state or data size */
	const char *value_text;	/* "stop-copy,p2p,pre-copy" or a state name */
};

/* RECORD_MIGRATION */
struct record_migration {
	struct record_actor who;	/* who drove the state changes */
	struct bytes device, parent, mdev_type;
	uint64_t session;
	const char *role;	/* "source", "target", "none" */
	const char *path;	/* "RUNNING>STOP_COPY>STOP" */
	const char *outcome;	/* "completed", "failed", "abandoned",
				 * "in-progress" (tracer stopped first) */
	int64_t ret;		/* the failing change's -errno; 0 */
	const char *errno_name;
	uint64_t changes;	/* state changes asked for */
	uint64_t stopped_ns;	/* time the device was not running */
	bool has_bytes;
	uint64_t bytes;		/* read (source) or written (target) */
	uint64_t started_ns;	/* CLOCK_MONOTONIC of the first change */
	int64_t started_wall_ns;
	uint64_t peer_session;	/* the other end on this host; 0 none */
	struct bytes peer_device;
	/* the version checks of this type seen before the migration */
	uint64_t checks_compatible, checks_incompatible, checks_other;
	const char *last_check;	/* outcome of the latest; NULL none */
};

struct record {
	enum record_kind kind;
	uint64_t ts_ns;		/* CLOCK_MONOTONIC of the kernel event, or of
				 * the moment user space made the record */
	int64_t wall_ns;	/* CLOCK_REALTIME of ts_ns (ns since the epoch) */
	const char *host;
	/* identity (docs/event-schema.md "Identity"): stamped by the pipeline
	 * when the record is emitted, or read back with the record.  The ids
	 * are 32 lowercase hex digits; all NULL and seq 0 when absent (a log
	 * from before identity: "unidentified"). */
	const char *host_id, *boot_id, *run_id;
	uint64_t seq;		/* 1, 2, 3 ... per run, no holes */
	union {
		struct record_event ev;	/* RECORD_CHECK, RECORD_READ */
		struct record_start start;
		struct record_lost lost;
		struct record_enforce enforce;
		struct record_end end;
		struct record_lifecycle life;
		struct record_migration mig;
	};
};

/* "start", "check", "read", "lost", "enforce", "end" */
const char *record_kind_name(enum record_kind k);
/* enum mdevver_mode -> "fentry", "kprobe", "syscall", "lsm", "unknown" */
const char *mode_name(int mode);
/* the event's MDEVVER_F_SCOPE_* flag -> "mdev-type", "mdev-device",
 * "other"; NULL when none is set */
const char *record_scope_name(uint32_t event_flags);
/* CLOCK_MONOTONIC now, for records user space makes (start, lost, ...):
 * taken once per record so every sink shows the same time. */
uint64_t record_now_ns(void);
/* CLOCK_REALTIME - CLOCK_MONOTONIC now (record_ctx.realtime_offset_ns). */
int64_t record_realtime_offset_ns(void);

struct node_cache;	/* record/node_cache.h */

/* What turning a kernel event into a record needs besides the event. */
struct record_ctx {
	const char *host;
	int64_t realtime_offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	struct node_cache *nodes;	/* facts per kernfs node, cached */
	/* enforcement: name of rule id of policy generation gen, or NULL */
	const char *(*rule_name)(void *rule_ctx, unsigned int gen, unsigned int id);
	void *rule_ctx;
};

/* The rule that judged a check or a state change: its name, "#N" (N-th
 * rule of its file) when the name is no longer known, or the marker of a
 * refusal no rule made (MDEVVER_RULE_NONE: failed closed).  Valid until
 * the next call. */
const char *record_rule_label(const struct record_ctx *ctx, unsigned int gen,
			      unsigned int rule_id);

/* Set ts_ns and the wall time derived from it. */
void record_set_time(struct record *r, const struct record_ctx *ctx, uint64_t ts_ns);

/*
 * One ring record of kind MDEVVER_REC_EVENT (len bytes as the ring gave
 * them) -> a RECORD_CHECK or RECORD_READ standing for count calls.
 * Validates len against data_len/local_len/path_depth (see
 * include/mdevver_trace.h); returns 0, or -1 for a malformed record
 * (nothing in *r is valid then).  Strings in *r point into e, into the
 * node cache and into static tables: valid until e is freed or the next
 * call.
 */
int record_from_event(struct record *r, const struct mdevver_event *e,
		      size_t len, uint64_t count, const struct record_ctx *ctx);

#endif
