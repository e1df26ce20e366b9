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
#include "report_sources.h"
#include "report_text.h"
#include "sat.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* --- aligned columns ------------------------------------------------------ */

struct ttable {
	size_t ncols;
	int indent;			/* spaces before a row: 2 when 0 */
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

		fprintf(out, "%*s", c ? 2 : t->indent ? t->indent : 2, "");
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
	if (m->first_time[0]) {
		char a[SHOW_TIME_LEN], b[SHOW_TIME_LEN];

		tt_cellf(&t, "%s .. %s", show_time(m->first_time, a), show_time(m->last_time, b));
	} else
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
	tt_cell(&t, strdup("lifecycle"));
	tt_cellu(&t, m->lifecycle);
	tt_cell(&t, strdup("migrations"));
	tt_cellf(&t, "%zu %s", m->migs.n, plural(m->migs.n, "session", "sessions"));
	tt_cell(&t, strdup("lost events"));
	tt_cellf(&t, "%llu (lost records %llu, dropped records %llu)",
		 (unsigned long long)sat_add_u64(m->lost, m->dropped),
		 (unsigned long long)m->lost, (unsigned long long)m->dropped);
	tt_cell(&t, strdup("input"));
	if (m->from_db)
		tt_cellf(&t, "database, %llu %s, %llu malformed %s skipped",
			 (unsigned long long)m->lines, plural(m->lines, "row", "rows"),
			 (unsigned long long)m->malformed, plural(m->malformed, "row", "rows"));
	else
		tt_cellf(&t, "%llu %s, %llu %s, %llu malformed %s skipped",
			 (unsigned long long)m->logs, plural(m->logs, "log", "logs"),
			 (unsigned long long)m->lines, plural(m->lines, "line", "lines"),
			 (unsigned long long)m->malformed, plural(m->malformed, "line", "lines"));
	tt_cell(&t, strdup("identity"));
	tt_cell(&t, report_ids_summary(&m->ids));
	return tt_print(out, &t) | (n == (size_t)-1 ? -1 : 0);
}

/* Gap ranges named per run before "and N more ranges" */
#define GAPS_SHOWN 8

/*
 * Duplicates and gaps per host (docs/report.md): only when some record has
 * an identity -- for logs from before it the summary line says so.
 */
static int identity(FILE *out, struct report_model *m)
{
	static const unsigned char right[] = { 0, 0, 1, 1, 1, 1 };
	struct ttable t = { .ncols = 6, .right = right };
	const struct report_ids *ids = &m->ids;
	int ret;

	if (!ids->n_runs)
		return 0;
	fputs("\nRecords by identity\n", out);
	tt_cell(&t, strdup("HOST"));
	tt_cell(&t, strdup("HOST_ID"));
	tt_cell(&t, strdup("RUNS"));
	tt_cell(&t, strdup("RECORDS"));
	tt_cell(&t, strdup("DUPLICATES"));
	tt_cell(&t, strdup("MISSING"));
	for (size_t i = 0, end; i < ids->n_runs; i = end) {
		uint64_t records, dups, missing;
		char hid[9];

		end = report_ids_host_end(ids, i);
		report_ids_host_sum(ids, i, end, &records, &dups, &missing);
		report_ids_short(ids->runs[i].host_id, hid);
		tt_cell(&t, show_name((struct bstr){ ids->runs[i].host, ids->runs[i].host_len }));
		tt_cell(&t, strdup(hid));
		tt_cellu(&t, end - i);
		tt_cellu(&t, records);
		tt_cellu(&t, dups);
		tt_cellu(&t, missing);
	}
	ret = tt_print(out, &t);
	if (!ids->missing) {
		fputs("  no gaps: every run's seq is complete from 1 to its last\n", out);
		return ret;
	}
	fputs("  gaps (seq missing within a run; a run whose end record is missing can\n"
	      "  lose its last records unseen):\n", out);
	t = (struct ttable){ .ncols = 4, .indent = 4 };
	for (size_t i = 0; i < ids->n_runs; i++) {
		const struct rid_run *r = &ids->runs[i];
		char run[9], boot[9];

		if (!r->missing)
			continue;
		report_ids_short(r->run_id, run);
		report_ids_short(r->boot_id, boot);
		tt_cell(&t, show_name((struct bstr){ r->host, r->host_len }));
		tt_cellf(&t, "run %s", run);
		tt_cellf(&t, "boot %s", boot);
		{
			char *list = report_ids_gap_list(r, GAPS_SHOWN);

			tt_cellf(&t, "%llu of %llu%s: seq %s", (unsigned long long)r->missing,
				 (unsigned long long)r->max_seq, r->end_seq ? "" : " (no end record)",
				 list ? list : "?");
			t.oom |= !list;
			free(list);
		}
	}
	return ret | tt_print(out, &t);
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

/* The text report fits this many columns where it can (the matrix and
 * the type x host grid leave out what does not fit, and say so). */
#define TEXT_WIDTH 100
/* A host or target name in a grid is shortened in the middle beyond this. */
#define NAME_MAX_W 32

/*
 * One grid row: S<n>, SOURCE, a cell per shown column.  With out NULL it
 * only widens w[] (2 + n_cols widths); a matrix can have tens of
 * thousands of rows, so the grid is measured and printed row by row
 * instead of being held as a table.
 */
static int grid_row(FILE *out, const struct report_matrix *mx, size_t r,
		    struct oc_counts *counts, size_t *w, size_t shown)
{
	char id[32], cell[128];
	char *full = show_source(mx, r, 1);
	char *src = full ? show_fit(full, NAME_MAX_W + 12) : NULL;
	int ret = src ? 0 : -1;

	snprintf(id, sizeof(id), "S%zu", r + 1);
	report_matrix_row_counts(mx, r, counts);
	if (!out) {
		if (strlen(id) > w[0])
			w[0] = strlen(id);
		if (src && strlen(src) > w[1])
			w[1] = strlen(src);
		for (size_t j = 0; j < mx->n_cols; j++) {
			size_t l = oc_counts_format(&counts[j], cell, sizeof(cell));

			if (l > w[j + 2])
				w[j + 2] = l;
		}
	} else {
		fprintf(out, "  %-*s  %-*s", (int)w[0], id, (int)w[1], src ? src : "?");
		for (size_t j = 0; j < shown; j++) {
			oc_counts_format(&counts[j], cell, sizeof(cell));
			/* the last column unpadded: no trailing blanks */
			fprintf(out, "  %-*s", j + 1 == shown ? 0 : (int)w[j + 2], cell);
		}
		fputc('\n', out);
	}
	free(full);
	free(src);
	return ret;
}

static int matrix(FILE *out, struct report_model *m)
{
	struct report_matrix mx;
	struct oc_counts *counts = NULL;
	struct ttable t = { .ncols = 3 };
	size_t *w = NULL, nc, shown, width;
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
	      "    (e.g. \"C2 I1\": 2 compatible and 1 incompatible checks; \"C2 I1*\":\n"
	      "    the latest of them was incompatible)\n\n", out);

	nc = mx.n_cols;
	counts = malloc(nc * sizeof(*counts));
	w = calloc(nc + 2, sizeof(*w));
	if (!counts || !w) {
		ret = -1;
		goto out;
	}
	/* header widths, then every row's */
	w[0] = strlen("ROW");
	w[1] = strlen("SOURCE");
	for (size_t j = 0; j < nc; j++)
		w[j + 2] = (size_t)snprintf(NULL, 0, "T%zu", j + 1);
	for (size_t r = 0; r < mx.n_rows; r++)
		ret |= grid_row(NULL, &mx, r, counts, w, nc);
	/* as many target columns as fit; at least one */
	width = 2 + w[0] + 2 + w[1];
	for (shown = 0; shown < nc; shown++) {
		if (shown && width + 2 + w[shown + 2] > TEXT_WIDTH)
			break;
		width += 2 + w[shown + 2];
	}

	/* the strings, each with the devices it came from */
	for (size_t r = 0; r < mx.n_rows; r++) {
		/* one source: the rest are in "Where can a VM go" */
		char *src = show_source(&mx, r, 1);
		char *bytes = show_bytes(mx.rows[r].bytes);
		int known = mx.rows[r].src_first < mx.rows[r].src_end;

		tt_cellf(&t, "S%zu", r + 1);
		tt_cell(&t, bytes);
		tt_cellf(&t, "%s%s", known ? "source: " : "", src ? src : "?");
		t.oom |= !src;
		free(src);
	}
	ret |= tt_print(out, &t);
	fputc('\n', out);
	t = (struct ttable){ .ncols = 2 };
	for (size_t j = 0; j < shown; j++) {
		tt_cellf(&t, "T%zu", j + 1);
		tt_cell(&t, show_target(mx.cols[j], 0));
	}
	ret |= tt_print(out, &t);
	fputc('\n', out);

	fprintf(out, "  %-*s  %-*s", (int)w[0], "ROW", (int)w[1], "SOURCE");
	for (size_t j = 0; j < shown; j++) {
		char id[32];

		snprintf(id, sizeof(id), "T%zu", j + 1);
		fprintf(out, "  %-*s", j + 1 == shown ? 0 : (int)w[j + 2], id);
	}
	fputc('\n', out);
	for (size_t r = 0; r < mx.n_rows; r++)
		ret |= grid_row(out, &mx, r, counts, w, shown);
	if (shown < nc) {
		char *a = show_target(mx.cols[shown], 0), *b = show_target(mx.cols[nc - 1], 0);

		fprintf(out, "  (not shown, to fit in %d columns: T%zu..T%zu of %zu targets,\n"
			"   %s .. %s; all of them: report --html FILE;\n"
			"   every target of one source: report --source HOST/TYPE)\n",
			TEXT_WIDTH, shown + 1, nc, nc, a ? a : "?", b ? b : "?");
		ret |= a && b ? 0 : -1;
		free(a);
		free(b);
	}
out:
	free(counts);
	free(w);
	report_matrix_free(&mx);
	return ret;
}

/* --- where can a VM go ---------------------------------------------------- */

/* "host/type" of device d */
static char *dev_name(const struct report_sources *s, size_t d)
{
	return show_target(s->devs[d], 0);
}

/* The compact answer of a group: "C3 I2" (targets by latest outcome), "." */
static void group_cell(const struct src_group *g, char *buf, size_t sz)
{
	if (g->n_compatible && g->n_other)
		snprintf(buf, sz, "C%zu I%zu", g->n_compatible, g->n_other);
	else if (g->n_compatible)
		snprintf(buf, sz, "C%zu", g->n_compatible);
	else if (g->n_other)
		snprintf(buf, sz, "I%zu", g->n_other);
	else
		snprintf(buf, sz, ".");
}

/* Cell of source host h (its first device), type k: "" when no such device. */
static void grid_cell(const struct report_sources *s, size_t h, struct bstr type,
		      char *buf, size_t sz)
{
	size_t d = report_sources_find(s, s->devs[s->host_first[h]]->part[0], type);

	if (d == SRC_NO_GROUP)
		snprintf(buf, sz, "%s", "");
	else if (s->group_of[d] == SRC_NO_GROUP)
		snprintf(buf, sz, "-");
	else
		group_cell(&s->groups[s->group_of[d]], buf, sz);
}

/*
 * The type x host grid: a row per host (SOURCE first), a column per mdev
 * type, as many as fit in TEXT_WIDTH columns.
 */
static int type_host_grid(FILE *out, const struct report_sources *s)
{
	size_t *w = calloc(s->n_types + 1, sizeof(*w)), shown, width;
	char **names = calloc(s->n_hosts ? s->n_hosts : 1, sizeof(*names));
	char cell[64];
	int ret = 0, cut = 0;

	if (!w || !names) {
		ret = -1;
		goto out;
	}
	w[0] = strlen("SOURCE HOST");
	for (size_t h = 0; h < s->n_hosts; h++) {
		char *name = show_name(s->devs[s->host_first[h]]->part[0]);

		names[h] = name ? show_fit(name, NAME_MAX_W) : NULL;
		if (!names[h]) {
			free(name);
			ret = -1;
			goto out;
		}
		cut |= strlen(name) > strlen(names[h]);
		free(name);
		if (strlen(names[h]) > w[0])
			w[0] = strlen(names[h]);
	}
	for (size_t k = 0; k < s->n_types; k++) {
		char *type = show_name(s->types[k]);

		if (!type) {
			ret = -1;
			goto out;
		}
		w[k + 1] = strlen(type);
		free(type);
		for (size_t h = 0; h < s->n_hosts; h++) {
			grid_cell(s, h, s->types[k], cell, sizeof(cell));
			if (strlen(cell) > w[k + 1])
				w[k + 1] = strlen(cell);
		}
	}
	width = 2 + w[0];
	for (shown = 0; shown < s->n_types; shown++) {
		if (shown && width + 2 + w[shown + 1] > TEXT_WIDTH)
			break;
		width += 2 + w[shown + 1];
	}
	fprintf(out, "  %-*s", (int)w[0], "SOURCE HOST");
	for (size_t k = 0; k < shown; k++) {
		char *type = show_name(s->types[k]);

		fprintf(out, "  %-*s", k + 1 == shown ? 0 : (int)w[k + 1], type ? type : "?");
		ret |= type ? 0 : -1;
		free(type);
	}
	fputc('\n', out);
	for (size_t h = 0; h < s->n_hosts; h++) {
		size_t pad = 0;

		fprintf(out, "  %-*s", (int)w[0], names[h]);

		/* blanks only between cells: none at the end of a line */
		for (size_t k = 0; k < shown; k++) {
			grid_cell(s, h, s->types[k], cell, sizeof(cell));
			if (*cell) {
				fprintf(out, "%*s%s", (int)(pad + 2), "", cell);
				pad = w[k + 1] - strlen(cell);
			} else {
				pad += 2 + w[k + 1];
			}
		}
		fputc('\n', out);
	}
	if (shown < s->n_types) {
		fprintf(out, "  (%zu mdev %s not shown, to fit in %d columns:", s->n_types - shown,
			plural(s->n_types - shown, "type", "types"), TEXT_WIDTH);
		for (size_t k = shown; k < s->n_types; k++) {
			char *type = show_name(s->types[k]);

			fprintf(out, " %s%s", type ? type : "?", k + 1 < s->n_types ? "," : ")\n");
			ret |= type ? 0 : -1;
			free(type);
		}
	}
	if (cut)
		fprintf(out, "  (host names longer than %d characters are shortened in the middle: ...)\n",
			NAME_MAX_W);
out:
	for (size_t h = 0; names && h < s->n_hosts; h++)
		free(names[h]);
	free(names);
	free(w);
	return ret;
}

/* "name1, name2, name3 (+N more)" of order[0..n), wrapped at TEXT_WIDTH */
static int name_list(FILE *out, const struct report_sources *s, const size_t *order,
		     size_t n, size_t max, int indent, size_t col)
{
	size_t shown = max && max < n ? max : n;
	int ret = 0;

	for (size_t i = 0; i < shown; i++) {
		char *name = dev_name(s, order[i]);
		size_t l = name ? strlen(name) : 1;

		/* the "," that ends a wrapped line counts too */
		if (i && col + 2 + l + 1 > TEXT_WIDTH) {
			fprintf(out, ",\n%*s", indent, "");
			col = (size_t)indent;
		} else if (i) {
			fputs(", ", out);
			col += 2;
		}
		fputs(name ? name : "?", out);
		col += l;
		ret |= name ? 0 : -1;
		free(name);
	}
	if (shown < n) {
		int l = snprintf(NULL, 0, " (+%zu more)", n - shown);

		if (col + (size_t)l > TEXT_WIDTH)
			fprintf(out, "\n%*s", indent - 1, "");
		fprintf(out, " (+%zu more)", n - shown);
	}
	fputc('\n', out);
	return ret;
}

/*
 * One group's answer: its targets by the latest check of its strings,
 * newest first, at most max a list (0: all).  `more` names the command
 * that lists all of them.
 */
static int group_answer(FILE *out, const struct report_sources *s,
			const struct report_matrix *mx, size_t gi, size_t dev, size_t max,
			const char *more)
{
	struct bstr mine = s->devs[dev == SRC_NO_GROUP ? s->groups[gi].devs[0] : dev]->part[1];
	size_t n_mine;
	int col;
	struct src_answer *a = calloc(s->n_devs, sizeof(*a));
	size_t *order = calloc(s->n_devs, sizeof(*order)), n;
	static const char *const label[] = { "incompatible on", "compatible on" };
	int ret = 0;

	if (!a || !order) {
		free(a);
		free(order);
		return -1;
	}
	report_sources_answer(s, mx, gi, a);
	for (int cls = 1; cls >= 0; cls--) {
		struct ttable t = { .ncols = 4, .indent = 6 };
		size_t shown;

		n = report_sources_order(s, a, cls, mine, order, NULL);
		fprintf(out, "    %s %zu of %zu %s%s\n", label[cls], n, s->n_devs,
			plural(s->n_devs, "target", "targets"), n ? ":" : "");
		shown = max && max < n ? max : n;
		for (size_t i = 0; i < shown; i++) {
			char when[SHOW_TIME_LEN], cell[128];
			const struct src_answer *x = &a[order[i]];

			oc_counts_format(&x->c, cell, sizeof(cell));
			tt_cell(&t, strdup(show_time(x->c.latest_time, when)));
			tt_cell(&t, dev_name(s, order[i]));
			tt_cell(&t, strdup(cell));
			tt_cellf(&t, "S%zu", x->latest_row + 1);
		}
		ret |= tt_print(out, &t);
		if (shown < n)
			fprintf(out, "      (+%zu more: %s)\n", n - shown, more);
	}
	n = report_sources_order(s, a, -1, mine, order, &n_mine);
	col = fprintf(out, "    never checked on %zu", n);
	if (n_mine && n_mine < n)
		col += fprintf(out, " (%zu of its own mdev type, first)", n_mine);
	fputs(n ? ": " : "\n", out);
	if (n)
		ret |= name_list(out, s, order, n, max ? SHOW_SOURCES_MAX : 0, 6,
				 (size_t)col + 2);
	free(a);
	free(order);
	return ret;
}

/*
 * "a VM on hostA/type (strings S3, S5)", then the other devices that read
 * the same strings (same answer), at most max of them (0: all).  dev is
 * the device to name first (--source), SRC_NO_GROUP: the group's first.
 */
static int group_head(FILE *out, const struct report_sources *s, size_t gi,
		      size_t dev, size_t max)
{
	const struct src_group *g = &s->groups[gi];
	size_t *others = calloc(g->n_devs, sizeof(*others)), n = 0;
	char *name;
	int ret = 0;

	if (!others)
		return -1;
	if (dev == SRC_NO_GROUP)
		dev = g->devs[0];
	for (size_t i = 0; i < g->n_devs; i++)
		if (g->devs[i] != dev)
			others[n++] = g->devs[i];
	name = dev_name(s, dev);
	fprintf(out, "  a VM on %s (", name ? name : "?");
	ret |= name ? 0 : -1;
	free(name);
	if (g->n_rows)
		fputs(plural(g->n_rows, "string ", "strings "), out);
	for (size_t k = 0; k < g->n_rows; k++)
		fprintf(out, "S%zu%s", g->rows[k] + 1, k + 1 < g->n_rows ? ", " : "");
	if (g->n_strings > g->n_rows)
		fprintf(out, "%s%zu %s never checked", g->n_rows ? "; " : "",
			g->n_strings - g->n_rows,
			plural(g->n_strings - g->n_rows, "string", "strings"));
	fputs(")\n", out);
	if (n) {
		int col = fprintf(out, "    same %s, same answer, on %zu more: ",
				  plural(g->n_strings, "string", "strings"), n);

		ret |= name_list(out, s, others, n, max, 6, (size_t)col);
	}
	free(others);
	return ret;
}

static int sources(FILE *out, struct report_model *m)
{
	struct report_matrix mx;
	struct report_sources s;
	int ret = 0;

	fputs("\nWhere can a VM go\n", out);
	if (report_matrix_build(m, &mx))
		return -1;
	if (report_sources_build(m, &mx, &s)) {
		report_sources_free(&s);
		report_matrix_free(&mx);
		return -1;
	}
	if (!s.n_groups) {
		fputs("  no source: no log has a read that returned a version string\n", out);
		goto out;
	}
	fprintf(out,
		"  a source is a host/mdev_type that read a version string; a VM on it\n"
		"  can go to a target (one of the %zu host/mdev_types in the logs) when the\n"
		"  latest check of its strings there was compatible\n"
		"  grid: per source, C targets compatible, I targets with another latest\n"
		"    outcome, the rest never checked; . none checked; - not a source (no\n"
		"    string read); blank: no such device in the logs\n\n", s.n_devs);
	ret |= type_host_grid(out, &s);
	fprintf(out, "\n  per source, the latest check on each target, newest first (at most\n"
		"  %d a list; all of one source: report --source HOST/TYPE):\n",
		SHOW_SOURCES_MAX);
	for (size_t gi = 0; gi < s.n_groups; gi++) {
		char *first = dev_name(&s, s.groups[gi].devs[0]), *more = NULL;

		if (!first || asprintf(&more, "report --source %s", first) < 0)
			more = NULL;
		fputc('\n', out);
		ret |= group_head(out, &s, gi, SRC_NO_GROUP, SHOW_SOURCES_MAX);
		ret |= more ? group_answer(out, &s, &mx, gi, SRC_NO_GROUP, SHOW_SOURCES_MAX, more) : -1;
		free(first);
		free(more);
	}
out:
	report_sources_free(&s);
	report_matrix_free(&mx);
	return ret;
}

/* --- migrations ------------------------------------------------------------ */

/* Migrations and failed sessions listed in text; all of them: --html. */
#define MIG_TEXT_MAX 20
/* host, mdev type and VM names in the migration tables */
#define MIG_NAME_W 20

/* A name shortened in the middle to max; "?" for an unknown (empty) host
 * when unknown is set. */
static char *mig_name(struct bstr s, size_t max, int unknown)
{
	char *full, *fit;

	if (unknown && !s.len)
		return strdup("?");
	full = show_name(s);
	fit = full ? show_fit(full, max) : NULL;
	free(full);
	return fit;
}

/* "hostA -> hostB" of a migration ("?": that end is not in the logs) */
static char *mig_pair(const struct report_migs *s, const struct report_migration *g)
{
	char *a = mig_name(mig_src_host(s, g), MIG_NAME_W, 1);
	char *b = mig_name(mig_dst_host(s, g), MIG_NAME_W, 1);
	char *out = NULL;

	if (!a || !b || asprintf(&out, "%s -> %s", a, b) < 0)
		out = NULL;
	free(a);
	free(b);
	return out;
}

/* "completed 2, failed 1" */
static char *mig_outcomes(const struct report_mig_group *grp)
{
	char buf[256];
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < MIG_OC_N; i++)
		if (grp->n_oc[i])
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s %llu",
						len ? ", " : "", mig_oc_name[i],
						(unsigned long long)grp->n_oc[i]);
	return strdup(buf);
}

static int mig_groups(FILE *out, const struct report_migs *s, const struct report_mig_view *v)
{
	static const unsigned char right[] = { 0, 0, 1, 1, 1, 1, 0 };
	struct ttable t = { .ncols = 7, .right = right };

	tt_cell(&t, strdup("MDEV_TYPE"));
	tt_cell(&t, strdup("SOURCE -> TARGET"));
	tt_cell(&t, strdup("MIGRATIONS"));
	tt_cell(&t, strdup("MEDIAN_MS"));
	tt_cell(&t, strdup("MAX_MS"));
	tt_cell(&t, strdup("BYTES"));
	tt_cell(&t, strdup("OUTCOMES"));
	for (size_t k = 0; k < v->n_groups; k++) {
		const struct report_mig_group *grp = &v->groups[k];
		const struct report_migration *g = &v->list[v->by_pair[grp->first]];
		char a[32], b[32];

		tt_cell(&t, mig_name(g->type, MIG_NAME_W, 0));
		tt_cell(&t, mig_pair(s, g));
		tt_cellf(&t, "%zu", grp->end - grp->first);
		tt_cell(&t, strdup(mig_ms(grp->down_median_ns, a)));
		tt_cell(&t, strdup(mig_ms(grp->down_max_ns, b)));
		tt_cellu(&t, grp->bytes);
		tt_cell(&t, mig_outcomes(grp));
	}
	return tt_print(out, &t);
}

static int mig_latest(FILE *out, const struct report_migs *s, const struct report_mig_view *v)
{
	static const unsigned char right[] = { 0, 0, 0, 0, 1, 1, 0 };
	struct ttable t = { .ncols = 7, .right = right };
	size_t shown = v->n;
	int ret;

	if (shown > MIG_TEXT_MAX)
		shown = MIG_TEXT_MAX;

	fprintf(out, "\n  latest first%s:\n", shown < v->n ?
		" (at most " STR(MIG_TEXT_MAX) "; all: report --html FILE)" : "");
	tt_cell(&t, strdup("TIME"));
	tt_cell(&t, strdup("MDEV_TYPE"));
	tt_cell(&t, strdup("SOURCE -> TARGET"));
	tt_cell(&t, strdup("OUTCOME"));
	tt_cell(&t, strdup("DOWN_MS"));
	tt_cell(&t, strdup("BYTES"));
	tt_cell(&t, strdup("VM"));
	for (size_t i = 0; i < shown; i++) {
		const struct report_migration *g = &v->list[i];
		char when[SHOW_TIME_LEN], ms[32];

		tt_cell(&t, strdup(show_time(g->time, when)));
		tt_cell(&t, mig_name(g->type, MIG_NAME_W, 0));
		tt_cell(&t, mig_pair(s, g));
		tt_cell(&t, strdup(mig_oc_name[g->oc]));
		tt_cell(&t, strdup(mig_ms(g->down_ns, ms)));
		if (g->has_bytes)
			tt_cellu(&t, g->bytes);
		else
			tt_cell(&t, strdup("-"));
		tt_cell(&t, mig_name(g->vm, MIG_NAME_W, 0));
	}
	ret = tt_print(out, &t);
	if (shown < v->n)
		fprintf(out, "  (+%zu more)\n", v->n - shown);
	return ret;
}

/* Failed sessions: when, role, errno, host/device, then the path taken. */
static int mig_failed(FILE *out, const struct report_migs *s, const struct report_mig_view *v)
{
	size_t shown = v->n_failed;
	size_t w_role = 4, w_err = 5;
	int ret = 0;

	if (shown > MIG_TEXT_MAX)
		shown = MIG_TEXT_MAX;

	fprintf(out, "\n  failed sessions, latest first, with the path of states taken%s:\n",
		v->n_failed ? "" : ": none");
	for (size_t i = 0; i < shown; i++) {
		const struct report_mig *g = &s->v[v->failed[i]];
		char *role = show_name(g->role), *err = show_name(g->errno_name);

		if (role && strlen(role) > w_role)
			w_role = strlen(role);
		if (err && strlen(err) > w_err)
			w_err = strlen(err);
		ret |= role && err ? 0 : -1;
		free(role);
		free(err);
	}
	for (size_t i = 0; i < shown; i++) {
		const struct report_mig *g = &s->v[v->failed[i]];
		char when[SHOW_TIME_LEN];
		char *role = show_name(g->role), *err = show_name(g->errno_name);
		char *type = mig_name(g->type, MIG_NAME_W, 0);
		char *host = mig_name(g->host, MIG_NAME_W, 0), *dev = show_name(g->device);
		char *path = show_name(g->path), *fit = path ? show_fit(path, TEXT_WIDTH - 9) : NULL;

		fprintf(out, "  %s  %-*s  %-*s  %s  %s/%s\n    path %s\n",
			show_time(g->time, when), (int)w_role, role ? role : "?", (int)w_err,
			err ? err : "?", type ? type : "?", host ? host : "?", dev ? dev : "?",
			fit ? fit : "?");
		ret |= role && err && type && host && dev && fit ? 0 : -1;
		free(role);
		free(err);
		free(type);
		free(host);
		free(dev);
		free(path);
		free(fit);
	}
	if (shown < v->n_failed)
		fprintf(out, "  (+%zu more: report --html FILE)\n", v->n_failed - shown);
	return ret;
}

static int migrations(FILE *out, struct report_model *m)
{
	struct report_mig_view v;
	int ret = 0;

	fputs("\nMigrations\n", out);
	if (!m->migs.n) {
		fputs("  none: no migration record in the logs (tracers of this version write\n"
		      "  them where the kernel has VFIO migration; see docs/migration.md)\n", out);
		return 0;
	}
	if (report_mig_view_build(&m->migs, &v)) {
		report_mig_view_free(&v);
		return -1;
	}
	fprintf(out,
		"  a migration: a source session (it entered STOP_COPY or PRE_COPY) and\n"
		"  the target session (RESUMING) it fed; paired on one host by the tracer,\n"
		"  across hosts by the report (same mdev type and bytes, times overlapping\n"
		"  or at most %d s apart); ? that end is not in the logs; DOWN_MS: the\n"
		"  longer time stopped of its ends, in ms\n"
		"  sessions: %zu %s, %zu %s, %zu without a data phase; migrations %zu:\n"
		"  %zu paired on one host, %zu across hosts\n\n",
		MIG_PAIR_WINDOW_S, v.n_sources, plural(v.n_sources, "source", "sources"),
		v.n_targets, plural(v.n_targets, "target", "targets"), v.n_none, v.n,
		v.n_local, v.n_across);
	if (v.n) {
		ret |= mig_groups(out, &m->migs, &v);
		ret |= mig_latest(out, &m->migs, &v);
	} else {
		fputs("  no migration: no session was a source or a target\n", out);
	}
	ret |= mig_failed(out, &m->migs, &v);
	report_mig_view_free(&v);
	return ret;
}

int report_write_text_source(FILE *out, struct report_model *m, struct bstr host,
			     struct bstr type)
{
	struct report_matrix mx;
	struct report_sources s;
	size_t d;
	int ret = 0;

	if (report_matrix_build(m, &mx))
		return -1;
	if (report_sources_build(m, &mx, &s)) {
		report_sources_free(&s);
		report_matrix_free(&mx);
		return -1;
	}
	d = report_sources_find(&s, host, type);
	if (d == SRC_NO_GROUP || s.group_of[d] == SRC_NO_GROUP) {
		ret = d == SRC_NO_GROUP ? 1 : 2;
		goto out;
	}
	fputs("Where can a VM go\n"
	      "  per target: the latest check of the source's strings there, the checks\n"
	      "  there by outcome (\"C2 I1*\": the latest was the incompatible one), the string\n\n",
	      out);
	ret |= group_head(out, &s, s.group_of[d], d, 0);
	ret |= group_answer(out, &s, &mx, s.group_of[d], d, 0, "");
out:
	report_sources_free(&s);
	report_matrix_free(&mx);
	return ret;
}

int report_write_text(FILE *out, struct report_model *m)
{
	int ret = 0;

	ret |= summary(out, m);
	ret |= hosts(out, m);
	ret |= identity(out, m);
	ret |= by_outcome(out, m);
	ret |= by_name(out, m->by_type, "Checks by mdev type", "MDEV_TYPE", "none", NULL);
	ret |= by_name(out, m->by_comm, "Checks by process", "COMM", "none", NULL);
	ret |= by_name(out, m->by_rule, "Denied by rule", "RULE",
		       "none (no check was denied or would be; enforcement mode adds these)",
		       "(no rule)");
	ret |= sources(out, m);
	ret |= matrix(out, m);
	ret |= migrations(out, m);
	return ret ? -1 : 0;
}
