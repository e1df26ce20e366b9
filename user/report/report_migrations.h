/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report_migrations.h - the report's Migrations section: the logs'
 * "migration" records (one per device session), their two ends paired
 * into migrations, and those grouped per mdev type and host pair.
 *
 * Pairing (docs/report.md): on one host the tracer already named the
 * other end (peer_session, peer_device); across hosts a target is paired
 * with a source on another host of the same mdev type that moved the same
 * number of bytes, whose session overlaps the target's in time or ends at
 * most MIG_PAIR_WINDOW_S seconds before or after it: the closest such
 * source, targets taken in the order they started.
 */
#ifndef MDEVVER_REPORT_MIGRATIONS_H
#define MDEVVER_REPORT_MIGRATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report_record.h"

#define MIG_PAIR_WINDOW_S 60
#define MIG_NONE ((size_t)-1)

/* One migration record, its strings copied (byte strings: may hold NUL). */
struct report_mig {
	struct bstr host, device, type, role, outcome, path, errno_name, vm, peer_device;
	uint64_t session, peer_session, stopped_ns, bytes;
	bool has_bytes;
	char time[REPORT_TIME_LEN + 1];		/* written: the session ended */
	char started[REPORT_TIME_LEN + 1];	/* the first state change */
	int64_t start_ns, end_ns;		/* the same, ns since the epoch */
	size_t peer;				/* the other end, MIG_NONE */
	bool across;				/* paired by the report */
};

struct report_migs {
	struct report_mig *v;
	size_t n, cap;
};

/* Copy a REC_MIGRATION record in; 0, or -1 when out of memory. */
int report_migs_add(struct report_migs *s, const struct report_record *r);
void report_migs_free(struct report_migs *s);

/* Outcome of a migration, in the order of severity (the worse end wins). */
enum mig_oc { MIG_COMPLETED, MIG_IN_PROGRESS, MIG_ABANDONED, MIG_FAILED, MIG_OTHER, MIG_OC_N };
extern const char *const mig_oc_name[MIG_OC_N];

/* A migration: a source and its target, or one of them alone. */
struct report_migration {
	size_t src, dst;		/* into migs->v; MIG_NONE: not in the logs */
	const char *time;		/* the later end's record time */
	enum mig_oc oc;
	uint64_t down_ns;		/* the longer time stopped of its ends */
	bool has_bytes;
	uint64_t bytes;			/* the source's count, else the target's */
	struct bstr type, vm;		/* the source's, else the target's */
};

/* Migrations of one mdev type between one host pair. */
struct report_mig_group {
	size_t first, end;		/* in by_pair */
	uint64_t n_oc[MIG_OC_N];
	uint64_t down_median_ns, down_max_ns;
	uint64_t bytes;			/* sum of the known counts */
};

struct report_mig_view {
	struct report_migration *list;	/* latest first */
	size_t n;
	size_t *by_pair;		/* list indexes by (type, source host, target host) */
	struct report_mig_group *groups;
	size_t n_groups;
	size_t *failed;			/* sessions (migs->v) that failed, latest first */
	size_t n_failed;
	size_t n_sources, n_targets, n_none;	/* sessions by role */
	size_t n_local, n_across;	/* migrations paired on one host / across */
};

/* Pair (sets peer/across in s) and group; 0, or -1 when out of memory. */
int report_mig_view_build(struct report_migs *s, struct report_mig_view *v);
void report_mig_view_free(struct report_mig_view *v);

/* The host of a migration's source or target end; empty when unknown. */
struct bstr mig_src_host(const struct report_migs *s, const struct report_migration *g);
struct bstr mig_dst_host(const struct report_migs *s, const struct report_migration *g);

/* ns as milliseconds with one decimal, truncated: "41.8"; returns buf. */
char *mig_ms(uint64_t ns, char buf[32]);

#endif
