/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report_model.h - what `mdevver-trace report` knows after reading the
 * logs: counters (tallies) per host, outcome, mdev type, process, rule, and
 * per (version string, target) for the compatibility matrix.  The text and
 * HTML renderers read only this.
 */
#ifndef MDEVVER_REPORT_MODEL_H
#define MDEVVER_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report_identity.h"
#include "report_migrations.h"
#include "report_record.h"
#include "report_tally.h"

/* Outcome classes of a check, in the order the report shows them. */
enum report_oc {
	OC_COMPATIBLE,
	OC_INCOMPATIBLE,
	OC_UNSUPPORTED,
	OC_PARTIAL,
	OC_DENIED,		/* enforcement mode: the check was refused */
	OC_WOULD_DENY,		/* enforcement in audit mode */
	OC_OTHER,		/* an outcome this version does not know */
	OC_N,
};

struct report_oc_info {
	const char *name;	/* the outcome string; "other" for OC_OTHER */
	char letter;		/* in matrix cells: C I U P D W ? */
};

extern const struct report_oc_info report_oc_info[OC_N];

enum report_oc report_oc_of(struct bstr outcome);

/*
 * Checks of one cell or table row, by class; with the class and time of
 * the latest check when the entries carry times (the matrix cells).  A tie
 * in time goes to the later class in enum order (incompatible over
 * compatible): a tie must not read as good news.
 */
struct oc_counts {
	uint64_t n[OC_N];
	uint64_t total;
	int latest_oc;			/* valid when latest_time is */
	const char *latest_time;	/* NULL: no times (into a tally entry) */
};

/*
 * Add sorted tally entries [from, to), whose part `part` is the outcome.
 */
void oc_counts_add(struct oc_counts *c, const struct tally_entry *const *e,
		   size_t from, size_t to, unsigned int part);

/* c += other (counts, and the latest of both). */
void oc_counts_merge(struct oc_counts *c, const struct oc_counts *other);

/* The compact form, e.g. "C2 I1" (classes in order, zeros left out; "."
 * when empty) into buf; returns its length.  In a cell with more than one
 * class and a latest check, '*' follows the latest class: "C2 I1*". */
size_t oc_counts_format(const struct oc_counts *c, char *buf, size_t sz);

/* The one class present, OC_N when several are, -1 when none. */
int oc_counts_single(const struct oc_counts *c);

/* Keys of the hosts tally's second part. */
#define HOST_RECORDS "records"
#define HOST_CHECKS "checks"
#define HOST_READS "reads"
#define HOST_LOST "lost"

struct report_model {
	struct tally *hosts;		/* (host, HOST_*) */
	struct tally *outcomes;		/* (outcome) of checks */
	struct tally *read_outcomes;	/* (outcome) of reads */
	struct tally *by_type;		/* (mdev_type, outcome) of checks */
	struct tally *by_comm;		/* (comm, outcome) of checks */
	struct tally *by_rule;		/* (rule, outcome) of denied/would-deny checks */
	struct tally *cells;		/* (bytes, host, mdev_type, outcome) of checks, with times */
	struct tally *targets;		/* (host, mdev_type) of checks: the columns */
	struct tally *sources;		/* (bytes, host, mdev_type) of reads that returned bytes */
	struct tally *devices;		/* (host, mdev_type) of checks and reads: every device seen */
	uint64_t records, checks, reads;
	uint64_t lost;			/* sum of "lost" records' lost */
	uint64_t dropped;		/* sum of "dropped" records' dropped */
	uint64_t lifecycle;		/* "lifecycle" records */
	struct report_migs migs;	/* "migration" records, copied */
	struct report_ids ids;		/* identity: duplicates (not counted anywhere
					 * else) and gaps per run */
	char first_time[REPORT_TIME_LEN + 1];	/* "" before the first record */
	char last_time[REPORT_TIME_LEN + 1];
	/* the input, for the summary */
	uint64_t logs, lines, malformed;
	/* report --db: lines and malformed count the table's rows, and the
	 * summary says "database" instead of logs */
	bool from_db;
};

/* 0, or -1 when out of memory. */
int report_model_init(struct report_model *m);
void report_model_free(struct report_model *m);
/* A record; one whose identity was seen before is a duplicate: counted
 * only in ids.  0, or -1 when out of memory. */
int report_model_add(struct report_model *m, const struct report_record *r);
/* After the last record (gaps need every record): 0, or -1. */
int report_model_finish(struct report_model *m);

/*
 * The matrix view: columns are the targets (sorted), rows the distinct
 * version strings written by checks (sorted by bytes), each with the range
 * of its cell entries and of the reads that returned that exact string.
 */
struct report_row {
	struct bstr bytes;
	size_t cell_first, cell_end;	/* in cells */
	size_t src_first, src_end;	/* in src */
};

struct report_matrix {
	const struct tally_entry *const *cols;	/* (host, mdev_type) */
	size_t n_cols;
	const struct tally_entry *const *cells;
	size_t n_cells;
	const struct tally_entry *const *src;
	size_t n_src;
	struct report_row *rows;
	size_t n_rows;
};

/* 0, or -1 when out of memory.  Valid until the model changes. */
int report_matrix_build(struct report_model *m, struct report_matrix *mx);
void report_matrix_free(struct report_matrix *mx);

/* The counts of each column of one row, into out[0..n_cols). */
void report_matrix_row_counts(const struct report_matrix *mx, size_t row,
			      struct oc_counts *out);

#endif
