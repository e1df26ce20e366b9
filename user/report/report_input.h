/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report_input.h - reading audit logs (JSON Lines files, "-" = stdin) into
 * the report model.  Bad lines are counted and the first few named on
 * stderr; only an unreadable file stops the report.
 */
#ifndef MDEVVER_REPORT_INPUT_H
#define MDEVVER_REPORT_INPUT_H

#include "report_filter.h"
#include "report_model.h"

/* How many malformed lines are named on stderr before only counting. */
#define REPORT_BAD_LINES_SHOWN 5

struct report_input {
	const char *prog;		/* prefix of messages: "mdevver-trace: report" */
	struct report_parser *parser;
	struct report_model *model;
	const struct report_filter *filter;	/* NULL: every record */
	uint64_t filtered;		/* records the filter left out */
	/* the first malformed lines' messages ("FILE:LINE: why"), held until
	 * report_input_done: input with no record at all gets one error line
	 * instead (report_input_no_record) */
	char *bad[REPORT_BAD_LINES_SHOWN];
	const char *last_path;		/* the last log read, for that line */
};

/*
 * Read one log into the model.  0, or -1 after one line on stderr (cannot
 * open or read it, out of memory).
 */
int report_read_log(struct report_input *in, const char *path);

/* After the last log: the malformed lines named, then one line counting
 * them, if any.  Frees what report_read_log kept. */
void report_input_done(struct report_input *in);

/*
 * When no line of any log was a record (not a log at all: `report
 * /etc/passwd`): one error line saying how many lines were read, and
 * frees what report_read_log kept.  Returns 1 then (the exit code), else 0
 * and does nothing.
 */
int report_input_no_record(struct report_input *in);

/*
 * One parsed record into the model, through the filter (report_read_log
 * and report --db alike).  0, or -1 when out of memory (nothing printed).
 */
int report_input_add(struct report_input *in, const struct report_record *rec);

/* A line (row) that is not a usable record: counted, and held for
 * report_input_done as "WHERE:LINENO: why" while few. */
void report_input_bad(struct report_input *in, const char *where,
		      unsigned long long lineno, const char *why);

/* Frees what report_read_log kept, printing nothing (after an error). */
void report_input_discard(struct report_input *in);

#endif
