/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * top_model.h - what the live view shows, built from records whether they
 * come from the tracer's pipeline (top_model_feed_record) or from a log
 * being replayed (top_model_feed: one JSON line -> the same record): one
 * code path for both.
 */
#ifndef MDEVVER_TOP_MODEL_H
#define MDEVVER_TOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define TOP_RECENT_MAX 256
#define TOP_ROWS_MAX 512
#define TOP_TEXT_MAX 96

/* Outcome columns, in display order. */
enum top_outcome {
	TOP_COMPATIBLE,
	TOP_INCOMPATIBLE,
	TOP_UNSUPPORTED,
	TOP_DENIED,
	TOP_WOULD_DENY,	/* enforce --dry-run: a deny rule matched */
	TOP_OTHER,	/* partial, anything newer */
	TOP_READ,	/* reads (any outcome) */
	TOP_OUTCOMES,
};

struct top_row {
	char parent[TOP_TEXT_MAX];
	char type[TOP_TEXT_MAX];
	uint64_t counts[TOP_OUTCOMES];
	char last_remote[TOP_TEXT_MAX];	/* C-escaped */
	char last_time[32];		/* HH:MM:SS of the last check */
	char last_rule[TOP_TEXT_MAX];	/* C-escaped rule of the last verdict */
	uint64_t last_ts;		/* ts_ns of the last event */
};

struct top_recent {
	char time[32];
	uint32_t pid;
	char comm[20];
	char op[8];
	char where[2 * TOP_TEXT_MAX];
	char outcome[16];
	char errname[16];
	char bytes[TOP_TEXT_MAX];
	char rule[TOP_TEXT_MAX];	/* C-escaped; "" when no rule judged it */
	enum top_outcome cls;
};

/* Migration outcomes (docs/event-schema.md, "migration"), counted. */
enum top_mig_outcome {
	TOP_MIG_COMPLETED,
	TOP_MIG_FAILED,
	TOP_MIG_ABANDONED,
	TOP_MIG_IN_PROGRESS,
	TOP_MIG_OTHER,		/* an outcome this version does not know */
	TOP_MIG_OUTCOMES,
};

#define TOP_MIG_RECENT_MAX 64

/* One migration record, as the panel shows it: every text C-escaped. */
struct top_migration {
	char time[32];			/* HH:MM:SS the record was written */
	char device[TOP_TEXT_MAX];
	char type[TOP_TEXT_MAX];
	char role[16];
	char outcome[16];
	char errname[16];		/* "-" when it did not fail */
	char down[24];			/* stopped_ns in ms: "41.9" */
	char bytes[24];			/* "-" when unknown */
	char vm[TOP_TEXT_MAX];		/* "-" when none */
	enum top_mig_outcome cls;
};

/* Which records count: the tracer's own filters (-p, -c, -x,
 * --any-sysfs), applied to records so a replayed log is selected as the
 * kernel would have selected live calls (live records pass already). */
struct top_filter {
	int pid;		/* 0: any */
	const char *comm;	/* NULL: any */
	bool failed_only;
	bool any_sysfs;		/* else records of scope "other" are left out */
};

struct top_model {
	char mode[16];			/* from the start record */
	/* "off" until an enforce record says otherwise; without one (a
	 * rotated or --json log), verdicts in events show it: "on" or
	 * "dry-run", with enforcement_inferred set (the rank of the
	 * strongest verdict, top_model.c) */
	char enforcement[32];
	bool enforcement_seen;		/* an enforce record set it */
	int enforcement_inferred;	/* verdicts set it: > 0 */
	struct top_filter filter;
	uint64_t filtered;		/* records the filter left out */
	uint64_t totals[TOP_OUTCOMES];
	uint64_t lost;			/* calls not delivered, all classes */
	uint64_t lost_checks, lost_reads;	/* ... of them, by class */
	uint64_t coalesced;		/* calls delivered inside another's
					 * record (sum of count - 1) */
	uint64_t records, bad_records;
	struct top_row rows[TOP_ROWS_MAX];
	size_t n_rows;
	uint64_t rows_dropped;		/* devices beyond TOP_ROWS_MAX */
	struct top_recent recent[TOP_RECENT_MAX];	/* ring, newest at head-1 */
	size_t recent_head, n_recent;
	/* migration records: counts by outcome, the latest as a ring */
	uint64_t mig_totals[TOP_MIG_OUTCOMES];
	uint64_t migrations;
	struct top_migration mig[TOP_MIG_RECENT_MAX];	/* newest at head-1 */
	size_t mig_head, n_mig;
};

void top_model_init(struct top_model *m);
/* Forget counts and rows (key c); keeps mode, enforcement and filter. */
void top_model_clear(struct top_model *m);
/* Whether the filter keeps a check or read record. */
bool top_filter_pass(const struct top_filter *f, const struct record *r);
/* One record; counts add the calls it stands for (its count).  Checks and
 * reads the filter leaves out are only counted in filtered. */
void top_model_feed_record(struct top_model *m, const struct record *r);
/* One JSON line (--replay); returns 0, or -1 if it is not a record (counted). */
int top_model_feed(struct top_model *m, const char *line, size_t len);
/* The same name for the JSON form, for callers that say what they feed. */
static inline int top_model_feed_json(struct top_model *m, const char *line, size_t len)
{
	return top_model_feed(m, line, len);
}
const char *top_outcome_label(enum top_outcome o);
const char *top_mig_outcome_label(enum top_mig_outcome o);
/* The i-th latest migration (0: newest), i < n_mig. */
const struct top_migration *top_model_migration(const struct top_model *m, size_t i);

/* Sorting of rows for display (key s cycles). */
enum top_sort { TOP_SORT_DEVICE, TOP_SORT_TOTAL, TOP_SORT_RECENT, TOP_SORTS };
const char *top_sort_name(enum top_sort s);
/* Fills idx with row indexes in display order; returns the count. */
size_t top_model_order(const struct top_model *m, enum top_sort s,
		       size_t *idx, size_t max);

#endif
