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
};

struct record {
	enum record_kind kind;
	uint64_t ts_ns;		/* CLOCK_MONOTONIC of the kernel event, or of
				 * the moment user space made the record */
	int64_t wall_ns;	/* CLOCK_REALTIME of ts_ns (ns since the epoch) */
	const char *host;
	union {
		struct record_event ev;	/* RECORD_CHECK, RECORD_READ */
		struct record_start start;
		struct record_lost lost;
		struct record_enforce enforce;
		struct record_end end;
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
