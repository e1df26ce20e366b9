/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * top_model.h - what the live view shows, built from records whether they
 * come from the tracer's pipeline (top_model_feed_record) or from a log
 * being replayed (top_model_feed: one JSON line -> the same record): one
 * code path for both.
 */
#ifndef MDEVVER_TOP_MODEL_H
#define MDEVVER_TOP_MODEL_H

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
	TOP_OTHER,	/* partial, would-deny, anything newer */
	TOP_READ,	/* reads (any outcome) */
	TOP_OUTCOMES,
};

struct top_row {
	char parent[TOP_TEXT_MAX];
	char type[TOP_TEXT_MAX];
	uint64_t counts[TOP_OUTCOMES];
	char last_remote[TOP_TEXT_MAX];	/* C-escaped */
	char last_time[32];		/* HH:MM:SS of the last check */
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
	enum top_outcome cls;
};

struct top_model {
	char mode[16];			/* from the start record */
	char enforcement[32];		/* "off" until enforce mode reports */
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
};

void top_model_init(struct top_model *m);
/* Forget counts and rows (key c); keeps mode and enforcement. */
void top_model_clear(struct top_model *m);
/* One record; counts add the calls it stands for (its count). */
void top_model_feed_record(struct top_model *m, const struct record *r);
/* One JSON line (--replay); returns 0, or -1 if it is not a record (counted). */
int top_model_feed(struct top_model *m, const char *line, size_t len);
/* The same name for the JSON form, for callers that say what they feed. */
static inline int top_model_feed_json(struct top_model *m, const char *line, size_t len)
{
	return top_model_feed(m, line, len);
}
const char *top_outcome_label(enum top_outcome o);

/* Sorting of rows for display (key s cycles). */
enum top_sort { TOP_SORT_DEVICE, TOP_SORT_TOTAL, TOP_SORT_RECENT, TOP_SORTS };
const char *top_sort_name(enum top_sort s);
/* Fills idx with row indexes in display order; returns the count. */
size_t top_model_order(const struct top_model *m, enum top_sort s,
		       size_t *idx, size_t max);

#endif
