/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * text_fmt.h - a record as the tracer's text columns, for people.
 * Every string from the kernel, a process or a file is C-escaped: nothing
 * untrusted reaches a terminal raw.
 */
#ifndef MDEVVER_TEXT_FMT_H
#define MDEVVER_TEXT_FMT_H

#include <stdbool.h>

#include "record.h"
#include "strbuf.h"

/* The column header line. */
void text_fmt_header(struct strbuf *b);

/*
 * The line(s) of r: check/read one line (verbose: plus the path/ids line
 * and, when the vendor layer saw the call, a vendor line); lost one LOST
 * line; start, enforce and end nothing (their text goes to stderr).
 */
void text_fmt_record(struct strbuf *b, const struct record *r, bool verbose);

#endif
