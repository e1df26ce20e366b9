/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* report_text.h - the report as plain text (summary tables, matrix). */
#ifndef MDEVVER_REPORT_TEXT_H
#define MDEVVER_REPORT_TEXT_H

#include <stdio.h>

#include "report_model.h"

/* 0, or -1 when out of memory (output then incomplete). */
int report_write_text(FILE *out, struct report_model *m);

/*
 * `report --source HOST/TYPE`: where a VM on that device can go, every
 * target listed.  0; -1 when out of memory; 1 when the logs have no such
 * device; 2 when they have it but no read of a string from it (nothing
 * written then).
 */
int report_write_text_source(FILE *out, struct report_model *m, struct bstr host,
			     struct bstr type);

#endif
