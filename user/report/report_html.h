/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report_html.h - the report as one self-contained HTML page: inline CSS,
 * no scripts, nothing fetched; the matrix as a coloured grid.
 */
#ifndef MDEVVER_REPORT_HTML_H
#define MDEVVER_REPORT_HTML_H

#include <stdio.h>

#include "report_model.h"

/* 0, or -1 when out of memory (output then incomplete). */
int report_write_html(FILE *out, struct report_model *m);

/* The page of `report --source HOST/TYPE`: that device's answer, every
 * target listed (the caller checked it is a source).  0, or -1 when out of
 * memory. */
int report_write_html_source(FILE *out, struct report_model *m, struct bstr host,
			     struct bstr type);

#endif
