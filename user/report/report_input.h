/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report_input.h - reading audit logs (JSON Lines files, "-" = stdin) into
 * the report model.  Bad lines are counted and the first few named on
 * stderr; only an unreadable file stops the report.
 */
#ifndef MDEVVER_REPORT_INPUT_H
#define MDEVVER_REPORT_INPUT_H

#include "report_model.h"

/* How many malformed lines are named on stderr before only counting. */
#define REPORT_BAD_LINES_SHOWN 5

struct report_input {
	const char *prog;		/* prefix of messages: "mdevver-trace report" */
	struct report_parser *parser;
	struct report_model *model;
};

/*
 * Read one log into the model.  0, or -1 after one line on stderr (cannot
 * open or read it, out of memory).
 */
int report_read_log(struct report_input *in, const char *path);

/* After the last log: one line counting the malformed lines, if any. */
void report_input_done(const struct report_input *in);

#endif
