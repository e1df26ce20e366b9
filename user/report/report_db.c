// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report_db.c - `report --db CONNINFO`: the records of the collector's
 * PostgreSQL table (dist/postgresql/mdevver-trace.sql, docs/fleet.md) into
 * the same report model the logs go into, so the summary, matrix and
 * migrations view are the same code over the same records as `report`
 * over files, and the output cannot drift between the two sources.
 *
 * The SQL does what a database does better than reading every row: the
 * time range and host filter (by the expression indexes on time and host),
 * the order, and exactly-once (the identity is UNIQUE in the table, so a
 * record resent by rsyslog is one row).  Each row's jsonb comes back as
 * text and is parsed by the same parser as a log line: a string from the
 * database is untrusted exactly like a string from a file and is escaped
 * by the same renderers.  Rows stream in single-row mode: a fleet's table
 * need not fit in memory twice.  libpq is loaded here, not linked
 * (pq_lib.h): only report --db pays for it and its TLS and Kerberos
 * libraries.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "pq_lib.h"
#include "report_db.h"

/* every message: `mdevver-trace: report --db: <why>` */
#define DB_PROG "mdevver-trace: report --db"

/*
 * $1 since, $2 until (normalized times or NULL), $3 hosts (text[] or
 * NULL).  The bounds compare the stored time text: the tracer writes the
 * normalized 9-digit form, and report_input_add applies the filter again
 * on the parsed, normalized record, so a writer of another precision is
 * still judged exactly.  The order is the identity's, within one time.
 */
static const char query[] =
	"SELECT rec::text FROM " REPORT_DB_TABLE
	" WHERE ($1::text IS NULL OR rec->>'time' >= $1::text)"
	" AND ($2::text IS NULL OR rec->>'time' < $2::text)"
	" AND ($3::text[] IS NULL OR rec->>'host' = ANY($3::text[]))"
	" ORDER BY rec->>'time', host_id, boot_id, run_id, seq";

/* libpq's message, first line only, escaped: a server's text reaches the
 * terminal like any other untrusted string */
static void db_error(const char *what, const char *msg)
{
	char esc[1024];
	size_t n = strcspn(msg ? msg : "", "\n");

	c_escape(esc, sizeof(esc), msg ? msg : "", n);
	if (what)
		fprintf(stderr, "%s: %s: %s\n", DB_PROG, what, n ? esc : "unknown error");
	else
		fprintf(stderr, "%s: %s\n", DB_PROG, n ? esc : "unknown error");
}

/* The hosts as a PostgreSQL array literal {"a","b"}: quotes and
 * backslashes escaped; NULL when out of memory. */
static char *hosts_array(const struct report_filter *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	fputc('{', m);
	for (int i = 0; i < f->n_hosts; i++) {
		fputs(i ? ",\"" : "\"", m);
		for (const char *c = f->hosts[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				fputc('\\', m);
			fputc(*c, m);
		}
		fputc('"', m);
	}
	fputc('}', m);
	if (fclose(m)) {
		free(buf);
		return NULL;
	}
	return buf;
}

int report_read_db(struct report_input *in, const char *conninfo)
{
	const struct report_filter *f = in->filter;
	const char *params[3] = { NULL, NULL, NULL };
	char *hosts = NULL;
	unsigned long long row = 0;
	const struct pq_lib *pq;
	char load_err[512];
	PGresult *res;
	PGconn *c;
	int ret = 0;

	pq = pq_lib(load_err, sizeof(load_err));
	if (!pq) {
		fprintf(stderr, "%s: %s\n", DB_PROG, load_err);
		return -1;
	}
	in->model->from_db = true;
	c = pq->PQconnectdb(conninfo);
	if (!c) {
		fprintf(stderr, "%s: out of memory\n", DB_PROG);
		return -1;
	}
	if (pq->PQstatus(c) != CONNECTION_OK) {
		db_error("cannot connect", pq->PQerrorMessage(c));
		pq->PQfinish(c);
		return -1;
	}
	if (f && f->since[0])
		params[0] = f->since;
	if (f && f->until[0])
		params[1] = f->until;
	if (f && f->n_hosts) {
		hosts = hosts_array(f);
		if (!hosts) {
			fprintf(stderr, "%s: out of memory\n", DB_PROG);
			pq->PQfinish(c);
			return -1;
		}
		params[2] = hosts;
	}
	if (!pq->PQsendQueryParams(c, query, 3, NULL, params, NULL, NULL, 0) ||
	    !pq->PQsetSingleRowMode(c)) {
		db_error("query", pq->PQerrorMessage(c));
		free(hosts);
		pq->PQfinish(c);
		return -1;
	}
	while ((res = pq->PQgetResult(c))) {
		ExecStatusType st = pq->PQresultStatus(res);

		if (st == PGRES_SINGLE_TUPLE && !ret) {
			struct report_record rec;
			const char *why;
			const char *text = pq->PQgetvalue(res, 0, 0);
			int r;

			row++;
			in->model->lines++;
			r = report_parse_line(in->parser, text, strlen(text), &rec, &why);
			if (r < 0)
				report_input_bad(in, "row", row, why);
			else if (r == 0 && report_input_add(in, &rec)) {
				fprintf(stderr, "%s: out of memory\n", DB_PROG);
				ret = -1;
			}
		} else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && !ret) {
			/* the first error says why; later results are drained */
			db_error("query", pq->PQresultErrorMessage(res));
			ret = -1;
		}
		pq->PQclear(res);
	}
	/* nothing kept although the table has rows: say how many the filter
	 * left out, as over logs (report_input_no_record) */
	if (!ret && !in->model->records && report_filter_active(f)) {
		res = pq->PQexec(c, "SELECT count(*) FROM " REPORT_DB_TABLE);
		if (pq->PQresultStatus(res) == PGRES_TUPLES_OK && pq->PQntuples(res) == 1)
			in->filtered = strtoull(pq->PQgetvalue(res, 0, 0), NULL, 10);
		pq->PQclear(res);
	}
	free(hosts);
	pq->PQfinish(c);
	return ret;
}
