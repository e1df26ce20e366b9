/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * json_fmt.h - a record as one JSON Lines record (docs/event-schema.md).
 * Keys are only ever added, never renamed or reordered.
 */
#ifndef MDEVVER_JSON_FMT_H
#define MDEVVER_JSON_FMT_H

#include "record.h"
#include "strbuf.h"

/* Append r as one JSON object and '\n' to b (b->oom on allocation failure). */
void json_fmt_record(struct strbuf *b, const struct record *r);

/* "2026-11-23T21:17:07.123456789Z" (30 chars + NUL) into buf[32]. */
void json_fmt_time(char buf[32], int64_t wall_ns);

#endif
