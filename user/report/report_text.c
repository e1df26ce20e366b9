// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report_text.c - the report as plain text: aligned columns, everything
 * from the logs C-escaped (pure ASCII out), sorted so that the same logs
 * always give the same bytes.  The matrix numbers its columns (T1..) and
 * rows (S1..) because targets and version strings are long: the grid
 * stays narrow and each row ends with its source and full string.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_show.h"
#include "report_text.h"
#include "sat.h"

/* --- aligned columns ------------------------------------------------------ */

struct ttable {
	size_t ncols;
	const unsigned char *right;	/* right[i]: column i right-aligned (numbers) */
	char **cell;			/* row-major, owned */
	size_t n, cap;
	int oom;
};

/* Append the next cell (row-major); takes s, NULL marks out of memory. */
static void tt_cell(struct ttable *t, char *s)
{
	if (!s) {
		t->oom = 1;
		s = strdup("");
		if (!s)
			return;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **c = realloc(t->cell, cap * sizeof(*c));

		if (!c) {
			t->oom = 1;
			free(s);
			return;
		}
		t->cell = c;
		t->cap = cap;
	}
	t->cell[t->n++] = s;
}

__attribute__((format(printf, 2, 3)))
static void tt_cellf(struct ttable *t, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	tt_cell(t, s);
}

static void tt_cellu(struct ttable *t, uint64_t v)
{
	tt_cellf(t, "%llu", (unsigned long long)v);
}

/* Print with two spaces of indent and between columns; no trailing blanks. */
static int tt_print(FILE *out, struct ttable *t)
{
	size_t *w = calloc(t->ncols, sizeof(*w));
	int ret = t->oom ? -1 : 0;

	if (!w)
		ret = -1;
	for (size_t i = 0; w && i < t->n; i++) {
		size_t l = strlen(t->cell[i]);

		if (l > w[i % t->ncols])
			w[i % t->ncols] = l;
	}
	for (size_t i = 0; w && i < t->n; i++) {
		size_t c = i % t->ncols, l = strlen(t->cell[i]);
		int last = c == t->ncols - 1 || i == t->n - 1;

		fputs("  ", out);
		if (t->right && t->right[c])
			fprintf(out, "%*s%s", (int)(w[c] - l), "", t->cell[i]);
		else if (last)
			fputs(t->cell[i], out);
		else
			fprintf(out, "%s%*s", t->cell[i], (int)(w[c] - l), "");
		if (last)
			fputc('\n', out);
	}
	for (size_t i = 0; i < t->n; i++)
		free(t->cell[i]);
	free(t->cell);
	free(w);
	memset(t, 0, sizeof(*t));
	return ret;
}

/* --- sections ------------------------------------------------------------- */

/* "ok 2, unsupported 1" from a (outcome) tally */
static char *outcome_list(struct tally *t)
{
	size_t n;
	const struct tally_entry *const *e = tally_sorted(t, &n);
	char *out = strdup(""), *grown;

	for (size_t i = 0; out && i < n && n != (size_t)-1; i++) {
		char *name = show_name(e[i]->part[0]);

		if (!name || asprintf(&grown, "%s%s%s %llu", out, i ? ", " : "", name,
				      (unsigned long long)e[i]->count) < 0)
			grown = NULL;
		free(name);
		free(out);
		out = grown;
	}
	return n == (size_t)-1 ? (free(out), NULL) : out;
}

static int summary(FILE *out, struct report_model *m)
{
	static const unsigned char right[] = { 0, 0 };
	struct ttable t = { .ncols = 2, .right = right };
	size_t nhosts = 0, n;
	const struct tally_entry *const *h = tally_sorted(m->hosts, &n);

	for (size_t i = 0; h && i < n; i = tally_run_end(h, n, i, 1))
		nhosts++;
	fputs("Summary\n", out);
	tt_cell(&t, strdup("hosts"));
	tt_cellf(&t, "%zu", nhosts);
	tt_cell(&t, strdup("time range"));
	if (m->first_time[0])
		tt_cellf(&t, "%s .. %s", m->first_time, m->last_time);
	else
		tt_cell(&t, strdup("-"));
	tt_cell(&t, strdup("checks"));
	tt_cellu(&t, m->checks);
	tt_cell(&t, strdup("reads"));
	if (m->reads) {
		char *l = outcome_list(m->read_outcomes);

		tt_cellf(&t, "%llu (%s)", (unsigned long long)m->reads, l ? l : "?");
		t.oom |= !l;
		free(l);
	} else {
		tt_cell(&t, strdup("0"));
	}
	tt_cell(&t, strdup("lost events"));
	tt_cellf(&t, "%llu (lost records %llu, dropped records %llu)",
		 (unsigned long long)sat_add_u64(m->lost, m->dropped),
		 (unsigned long long)m->lost, (unsigned long long)m->dropped);
	tt_cell(&t, strdup("input"));
	tt_cellf(&t, "%llu %s, %llu %s, %llu malformed %s skipped",
		 (unsigned long long)m->logs, plural(m->logs, "log", "logs"),
		 (unsigned long long)m->lines, plural(m->lines, "line", "lines"),
		 (unsigned long long)m->malformed, plural(m->malformed, "line", "lines"));
	return tt_print(out, &t) | (n == (size_t)-1 ? -1 : 0);
}

/* The count of kind in a host's run of (host, kind) entries. */
static uint64_t host_count(const struct tally_entry *const *e, size_t from,
			   size_t to, const char *kind)
{
	struct bstr k = { kind, strlen(kind) };

	for (size_t i = from; i < to; i++)
		if (bstr_eq(e[i]->part[1], k))
			return e[i]->count;
	return 0;
}

static int hosts(FILE *out, struct report_model *m)
{
	static const unsigned char right[] = { 0, 1, 1, 1, 1 };
	struct ttable t = { .ncols = 5, .right = right };
	size_t n;
	const struct tally_entry *const *e = tally_sorted(m->hosts, &n);

	fputs("\nHosts\n", out);
	if (!n) {
		fputs("  none\n", out);
		return 0;
	}
	if (n == (size_t)-1)
		return -1;
	tt_cell(&t, strdup("HOST"));
	tt_cell(&t, strdup("RECORDS"));
	tt_cell(&t, strdup("CHECKS"));
	tt_cell(&t, strdup("READS"));
	tt_cell(&t, strdup("LOST"));
	for (size_t i = 0; i < n; ) {
		size_t end = tally_run_end(e, n, i, 1);

		tt_cell(&t, show_name(e[i]->part[0]));
		tt_cellu(&t, host_count(e, i, end, HOST_RECORDS));
		tt_cellu(&t, host_count(e, i, end, HOST_CHECKS));
		tt_cellu(&t, host_count(e, i, end, HOST_READS));
		tt_cellu(&t, host_count(e, i, end, HOST_LOST));
		i = end;
	}
	return tt_print(out, &t);
}

static int by_outcome(FILE *out, struct report_model *m)
{
	static const unsigned char right[] = { 0, 1 };
	struct ttable t = { .ncols = 2, .right = right };
	struct oc_counts c = { 0 };
	size_t n;
	const struct tally_entry *const *e = tally_sorted(m->outcomes, &n);

	if (n == (size_t)-1)
		return -1;
	oc_counts_add(&c, e, 0, n, 0);
	fputs("\nChecks by outcome\n", out);
	tt_cell(&t, strdup("OUTCOME"));
	tt_cell(&t, strdup("CHECKS"));
	/* the four outcomes of the kernel's answer always; others when seen */
	for (int i = 0; i < OC_OTHER; i++) {
		if (i > OC_PARTIAL && !c.n[i])
			continue;
		tt_cellf(&t, "%c %s", report_oc_info[i].letter, report_oc_info[i].name);
		tt_cellu(&t, c.n[i]);
	}
	for (size_t i = 0; i < n; i++) {
		char *name;

		if (report_oc_of(e[i]->part[0]) != OC_OTHER)
			continue;
		name = show_name(e[i]->part[0]);
		tt_cellf(&t, "? %s", name ? name : "");
		t.oom |= !name;
		free(name);
		tt_cellu(&t, e[i]->count);
	}
	tt_cell(&t, strdup("  total"));
	tt_cellu(&t, c.total);
	return tt_print(out, &t);
}

/* A (name, outcome) tally as NAME CHECKS OUTCOMES rows; an empty name
 * shows as unnamed (NULL: "-"). */
static int by_name(FILE *out, struct tally *tl, const char *title,
		   const char *head, const char *none, const char *unnamed)
{
	static const unsigned char right[] = { 0, 1, 0 };
	struct ttable t = { .ncols = 3, .right = right };
	size_t n;
	const struct tally_entry *const *e = tally_sorted(tl, &n);

	fprintf(out, "\n%s\n", title);
	if (n == (size_t)-1)
		return -1;
	if (!n) {
		fprintf(out, "  %s\n", none);
		return 0;
	}
	tt_cell(&t, strdup(head));
	tt_cell(&t, strdup("CHECKS"));
	tt_cell(&t, strdup("OUTCOMES"));
	for (size_t i = 0; i < n; ) {
		size_t end = tally_run_end(e, n, i, 1);
		struct oc_counts c = { 0 };
		char cell[128];

		oc_counts_add(&c, e, i, end, 1);
		oc_counts_format(&c, cell, sizeof(cell));
		tt_cell(&t, unnamed && !e[i]->part[0].len ? strdup(unnamed) :
			show_name(e[i]->part[0]));
		tt_cellu(&t, c.total);
		tt_cell(&t, strdup(cell));
		i = end;
	}
	return tt_print(out, &t);
}

/*
 * One grid row: S<n>, a cell per column, SOURCE, VERSION STRING.  With out
 * NULL it only widens w[] (n_cols + 2 widths); a matrix can have tens of
 * thousands of rows, so the grid is measured and printed row by row
 * instead of being held as a table.
 */
static int grid_row(FILE *out, const struct report_matrix *mx, size_t r,
		    struct oc_counts *counts, size_t *w)
{
	char id[32], cell[128];
	char *src = show_source(mx, r, SHOW_SOURCES_MAX);
	char *bytes = show_bytes(mx->rows[r].bytes);
	size_t nc = mx->n_cols;
	int ret = src && bytes ? 0 : -1;

	snprintf(id, sizeof(id), "S%zu", r + 1);
	report_matrix_row_counts(mx, r, counts);
	if (!out) {
		if (strlen(id) > w[0])
			w[0] = strlen(id);
		for (size_t j = 0; j < nc; j++) {
			size_t l = oc_counts_format(&counts[j], cell, sizeof(cell));

			if (l > w[j + 1])
				w[j + 1] = l;
		}
		if (src && strlen(src) > w[nc + 1])
			w[nc + 1] = strlen(src);
	} else {
		fprintf(out, "  %-*s", (int)w[0], id);
		for (size_t j = 0; j < nc; j++) {
			oc_counts_format(&counts[j], cell, sizeof(cell));
			fprintf(out, "  %-*s", (int)w[j + 1], cell);
		}
		fprintf(out, "  %-*s  %s\n", (int)w[nc + 1], src ? src : "?",
			bytes ? bytes : "?");
	}
	free(src);
	free(bytes);
	return ret;
}

static int matrix(FILE *out, struct report_model *m)
{
	struct report_matrix mx;
	struct oc_counts *counts = NULL;
	struct ttable t = { .ncols = 2 };
	size_t *w = NULL, nc;
	int ret = 0;

	fputs("\nCompatibility matrix\n", out);
	if (report_matrix_build(m, &mx))
		return -1;
	/* every row has a cell in some column: both are empty or neither */
	if (!mx.n_rows || !mx.n_cols) {
		fputs("  no checks in the logs\n", out);
		return 0;
	}
	fputs("  rows S: version strings written by checks (the source device's\n"
	      "    string), with the host/mdev_type that read it, if a log has that read\n"
	      "  columns T: target host/mdev_type the string was written to\n"
	      "  cells: C compatible, I incompatible, U unsupported, P partial,\n"
	      "    D denied, W would-deny, ? other outcome; . no check\n"
	      "    (e.g. \"C2 I1\": 2 compatible and 1 incompatible checks)\n\n", out);

	for (size_t j = 0; j < mx.n_cols; j++) {
		tt_cellf(&t, "T%zu", j + 1);
		tt_cell(&t, show_target(mx.cols[j], 0));
	}
	ret |= tt_print(out, &t);
	fputc('\n', out);

	nc = mx.n_cols;
	counts = malloc(nc * sizeof(*counts));
	w = calloc(nc + 2, sizeof(*w));
	if (!counts || !w) {
		ret = -1;
		goto out;
	}
	/* header widths, then every row's */
	w[0] = strlen("ROW");
	for (size_t j = 0; j < nc; j++)
		w[j + 1] = (size_t)snprintf(NULL, 0, "T%zu", j + 1);
	w[nc + 1] = strlen("SOURCE");
	for (size_t r = 0; r < mx.n_rows; r++)
		ret |= grid_row(NULL, &mx, r, counts, w);
	fprintf(out, "  %-*s", (int)w[0], "ROW");
	for (size_t j = 0; j < nc; j++) {
		char id[32];

		snprintf(id, sizeof(id), "T%zu", j + 1);
		fprintf(out, "  %-*s", (int)w[j + 1], id);
	}
	fprintf(out, "  %-*s  VERSION STRING\n", (int)w[nc + 1], "SOURCE");
	for (size_t r = 0; r < mx.n_rows; r++)
		ret |= grid_row(out, &mx, r, counts, w);
out:
	free(counts);
	free(w);
	report_matrix_free(&mx);
	return ret;
}

int report_write_text(FILE *out, struct report_model *m)
{
	int ret = 0;

	ret |= summary(out, m);
	ret |= hosts(out, m);
	ret |= by_outcome(out, m);
	ret |= by_name(out, m->by_type, "Checks by mdev type", "MDEV_TYPE", "none", NULL);
	ret |= by_name(out, m->by_comm, "Checks by process", "COMM", "none", NULL);
	ret |= by_name(out, m->by_rule, "Denied by rule", "RULE",
		       "none (no check was denied or would be; enforcement mode adds these)",
		       "(no rule)");
	ret |= matrix(out, m);
	return ret ? -1 : 0;
}
