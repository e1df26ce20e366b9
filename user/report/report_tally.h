/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report_tally.h - an ordered counter of byte-string tuples, e.g.
 * (mdev_type, outcome) -> checks.  The report is a handful of these; their
 * sorted order is the report's order, so output is deterministic.
 */
#ifndef MDEVVER_REPORT_TALLY_H
#define MDEVVER_REPORT_TALLY_H

#include <stddef.h>
#include <stdint.h>

#define TALLY_MAX_PARTS 4

/* A normalized log time, 2026-11-23T21:17:07.123456789Z: compares as text. */
#define TALLY_TIME_LEN 30

/* A byte string: audit-log strings may hold NUL, so never C strings. */
struct bstr {
	const char *p;
	size_t len;
};

struct tally_entry {
	struct bstr part[TALLY_MAX_PARTS];
	uint64_t count;
	/* the latest time the tuple was counted at (tally_add_at), "" if never
	 * given one: which of a cell's outcomes came last */
	char latest[TALLY_TIME_LEN + 1];
};

struct tally;

/* A tally of tuples of nparts (1..TALLY_MAX_PARTS) strings; NULL: no memory. */
struct tally *tally_new(unsigned int nparts);
void tally_free(struct tally *t);

/* count[parts] += n (the parts are copied); 0, or -1 when out of memory. */
int tally_add(struct tally *t, const struct bstr *parts, uint64_t n);

/* tally_add, also keeping the latest of the times (normalized, NUL-ended,
 * TALLY_TIME_LEN characters) the tuple was counted at. */
int tally_add_at(struct tally *t, const struct bstr *parts, uint64_t n,
		 const char *time);

/*
 * The entries in order: by part 0, then part 1, ...; each part by bytes
 * (unsigned), a prefix first.  The array belongs to the tally and stays
 * valid until the next tally_add or tally_free.  NULL with *n = 0 when empty
 * or out of memory (*n then is (size_t)-1).
 */
const struct tally_entry *const *tally_sorted(struct tally *t, size_t *n);

/*
 * Where the run of sorted entries starting at i ends (exclusive): the entries
 * whose first k parts equal e[i]'s.  Groups (type, outcome) by type, etc.
 */
size_t tally_run_end(const struct tally_entry *const *e, size_t n, size_t i,
		     unsigned int k);

/* Number of distinct tuples. */
size_t tally_size(const struct tally *t);

/* Byte-wise order of two strings, as tally_sorted uses. */
int bstr_cmp(struct bstr a, struct bstr b);

static inline int bstr_eq(struct bstr a, struct bstr b)
{
	return bstr_cmp(a, b) == 0;
}

#endif
