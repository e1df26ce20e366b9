/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report_identity.h - records by identity (docs/event-schema.md
 * "Identity"): a record whose (host_id, boot_id, run_id, seq) was seen
 * before is a duplicate (the same log given twice, a shipper's retry) and
 * counted once; a seq missing within a run is a record lost on the way,
 * reported per host.
 */
#ifndef MDEVVER_REPORT_IDENTITY_H
#define MDEVVER_REPORT_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report_tally.h"

/* One tracer run: every seq seen of it. */
struct rid_run {
	uint8_t host_id[16], boot_id[16], run_id[16];
	char *host;			/* the first host name seen with it */
	size_t host_len;
	uint64_t *seqs;			/* distinct, sorted by report_ids_finish */
	size_t n, cap;
	uint64_t max_seq;		/* the highest seq seen */
	uint64_t end_seq;		/* the end record's seq; 0: none seen */
	uint64_t duplicates;
	uint64_t missing;		/* report_ids_finish */
};

struct rid_slot;

struct report_ids {
	struct rid_run *runs;
	size_t n_runs, cap_runs;
	size_t last;			/* the run of the previous record */
	struct rid_slot *set;		/* (run, seq) seen: open addressing */
	size_t set_cap, set_n;
	uint64_t identified;		/* distinct identified records */
	uint64_t unidentified;		/* records without identity */
	uint64_t duplicates;		/* identified records seen again */
	uint64_t missing;		/* report_ids_finish: sum of the runs' */
	size_t runs_with_gaps;
};

/*
 * One record: 1 when it is a duplicate (not to be counted), 0 when it is
 * new or has no identity, -1 when out of memory.  has_id false: counted
 * unidentified (unless count_unidentified is false: records that never
 * carry an identity, the audit log's own "dropped").
 */
int report_ids_add(struct report_ids *ids, bool has_id, const uint8_t host_id[16],
		   const uint8_t boot_id[16], const uint8_t run_id[16], uint64_t seq,
		   bool is_end, struct bstr host, bool count_unidentified);

/* After the last record: each run's seqs sorted, the missing counted, the
 * runs ordered by host name, host id, boot id, run id (hosts are runs of
 * equal host_id).  0, or -1 when out of memory. */
int report_ids_finish(struct report_ids *ids);

/*
 * The missing seqs of a run as ranges: calls fn(first, last, ctx) for each
 * range in order, at most max of them; returns how many ranges there are.
 */
size_t report_ids_gaps(const struct rid_run *run, size_t max,
		       void (*fn)(uint64_t first, uint64_t last, void *ctx), void *ctx);

/* The summary line's value, e.g. "24 records in 2 runs, 7 duplicates
 * dropped, 1 missing" (malloc'd ASCII; NULL when out of memory). */
char *report_ids_summary(const struct report_ids *ids);

/* A run's missing seqs, e.g. "4, 7-9 and 2 more ranges" (at most max
 * ranges named; malloc'd; NULL when out of memory). */
char *report_ids_gap_list(const struct rid_run *run, size_t max);

/* The runs of one host: [from, return) have the host name and host_id of
 * runs[from] (runs are sorted by report_ids_finish). */
size_t report_ids_host_end(const struct report_ids *ids, size_t from);
/* Totals of runs [from, end) (one host): records, duplicates, missing. */
void report_ids_host_sum(const struct report_ids *ids, size_t from, size_t end,
			 uint64_t *records, uint64_t *dups, uint64_t *missing);

/* The first 8 hex digits of an id (how the report names hosts and runs). */
void report_ids_short(const uint8_t id[16], char out[9]);

void report_ids_free(struct report_ids *ids);

#endif
