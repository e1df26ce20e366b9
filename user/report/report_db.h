/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report_db.h - `report --db CONNINFO`: the collector's PostgreSQL table
 * (dist/postgresql/mdevver-trace.sql) as the report's input instead of
 * logs (docs/fleet.md).
 */
#ifndef MDEVVER_REPORT_DB_H
#define MDEVVER_REPORT_DB_H

#include "report_input.h"

/* The table the collector's rsyslog writes (one jsonb row per record). */
#define REPORT_DB_TABLE "mdevver_trace_records"

/*
 * Every row of the table that in->filter keeps, into in->model, through
 * the same parser as log lines (rows that are not records are counted as
 * malformed).  conninfo: libpq's "host=... dbname=..." or a postgresql://
 * URI.  0, or -1 after one line `mdevver-trace: report --db: <why>` on
 * stderr (cannot connect, the query failed, out of memory).
 */
int report_read_db(struct report_input *in, const char *conninfo);

#endif
