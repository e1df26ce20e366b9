// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report_html.c - the report as one HTML page.  Self-contained (inline
 * CSS, no script, no fetch) so it can be mailed or attached to a ticket
 * and opened offline.  Every string from a log is first C-escaped (as in
 * the text report: NUL, newlines, bytes >= 0x80 become visible escapes)
 * and then HTML-escaped, so a version string holding "<script>" is text.
 * Rows, column heads and non-empty cells carry data-row/data-col, and
 * every cell its class (the colour), so that tools can read the page back.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_html.h"
#include "report_show.h"
#include "report_sources.h"
#include "sat.h"

/* CSS class per outcome class: also the colour of mixed cells' bar parts. */
static const char *const oc_css[OC_N] = {
	[OC_COMPATIBLE] = "compatible",
	[OC_INCOMPATIBLE] = "incompatible",
	[OC_UNSUPPORTED] = "unsupported",
	[OC_PARTIAL] = "partial",
	[OC_DENIED] = "denied",
	[OC_WOULD_DENY] = "would-deny",
	[OC_OTHER] = "other",
};

static const char style[] =
	"body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#222;background:#fff}\n"
	"h1{font-size:20px;margin:0 0 4px}\n"
	"h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}\n"
	"p.meta{color:#555;margin:0 0 8px}\n"
	"table{border-collapse:separate;border-spacing:0;margin:4px 0}\n"
	"th,td{border:1px solid #ccc;border-width:0 1px 1px 0;padding:4px 8px;text-align:left;vertical-align:middle}\n"
	"tr>:first-child{border-left-width:1px}\n"
	"thead tr:first-child>*{border-top-width:1px}\n"
	"thead th{background:#f2f2f2}\n"
	"td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	"td.zero{color:#bbb}\n"
	"b.chip{display:inline-block;min-width:16px;text-align:center;margin-right:6px;font-family:monospace}\n"
	/* a string is one token: never broken inside, never squeezed */
	"code{font:12px/1.3 ui-monospace,'DejaVu Sans Mono',monospace;white-space:pre}\n"
	/* big grids scroll in their own box, head row and first column stay */
	".scroll{overflow:auto;max-height:80vh;max-width:100%;border:1px solid #ccc;margin:4px 0;display:inline-block}\n"
	".scroll table{margin:0}\n"
	".scroll thead th{position:sticky;top:0;z-index:2}\n"
	".scroll th.sticky{position:sticky;left:0;z-index:1;background:#fafafa}\n"
	".scroll thead th.sticky{z-index:3;background:#f2f2f2}\n"
	".matrix th.row{font-weight:normal;white-space:nowrap;min-width:max-content}\n"
	".matrix th.col{text-align:center;font-weight:normal;font-size:12px;white-space:nowrap}\n"
	".matrix th.col b{display:block;font-size:13px}\n"
	".rid,.cid{color:#888;font-size:11px;margin-right:6px}\n"
	".src{color:#555;font-size:12px;margin-top:2px;white-space:nowrap}\n"
	".src.unknown{color:#a33;font-style:italic}\n"
	"td.cell{text-align:center;font:600 12px ui-monospace,'DejaVu Sans Mono',monospace;min-width:40px;padding:3px 6px;white-space:nowrap}\n"
	".compatible{background:#2e7d32;color:#fff}\n"
	".incompatible{background:#c62828;color:#fff}\n"
	".unsupported{background:#9e9e9e;color:#fff}\n"
	".partial{background:#f9a825;color:#222}\n"
	".denied{background:#6a1b9a;color:#fff}\n"
	".would-deny{background:#ce93d8;color:#222}\n"
	".other{background:#5d4037;color:#fff}\n"
	".mixed{background:#ef6c00;color:#fff}\n"
	".empty{background:#f7f7f7;color:#bbb}\n"
	".bar{display:flex;height:5px;margin-top:3px;outline:1px solid #fff}\n"
	".bar i{display:block}\n"
	".legend{margin:6px 0 10px;font-size:13px}\n"
	".legend span{display:inline-block;margin-right:14px;white-space:nowrap}\n"
	".legend i{display:inline-block;width:14px;height:14px;vertical-align:-2px;margin-right:5px;border:1px solid #888}\n"
	"ul.notes{font-size:13px;color:#444;margin:4px 0;padding-left:20px}\n"
	/* the type x host heatmap: green as deep as the places a VM can go */
	".heat th.host{font-weight:normal;white-space:nowrap}\n"
	".heat thead th{white-space:nowrap;text-align:center;font-weight:normal;font-size:12px}\n"
	".heat th,.heat td{padding:2px 8px;line-height:16px}\n"
	".heat td{text-align:center;font:600 12px ui-monospace,'DejaVu Sans Mono',monospace;white-space:nowrap;min-width:96px}\n"
	".heat td.q1{background:#c8e6c9;color:#1b5e20}\n"
	".heat td.q2{background:#81c784;color:#0b3d0e}\n"
	".heat td.q3{background:#43a047;color:#fff}\n"
	".heat td.q4{background:#1b5e20;color:#fff}\n"
	".heat td.none{background:#ef9a9a;color:#7f0000}\n"
	".heat td.unchecked{background:#eceff1;color:#607d8b}\n"
	".heat td.nosrc{background:#fafafa;color:#bbb}\n"
	".heat td.nodev{background:#fff}\n"
	".vm{margin:14px 0 4px;font-weight:600}\n"
	".ans{margin:2px 0 2px 18px;font-size:13px}\n"
	".ans>b{display:inline-block;min-width:200px;font-weight:600}\n"
	".ans span.t{display:inline-block;white-space:nowrap;margin:1px 10px 1px 0;padding:0 4px;border-radius:3px}\n"
	".ans span.t i{font-style:normal;opacity:.8;font-size:12px;margin-left:4px}\n"
	".ans.never span.t{background:#eceff1;color:#455a64}\n";

/* Text into HTML: markup characters as entities (the rest is ASCII, as
 * every log string was C-escaped first). */
static void html_text(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
	}
}

/* html_text of a malloc'd string, freed; 0, or -1 when it is NULL. */
static int html_take(FILE *out, char *s)
{
	html_text(out, s);
	free(s);
	return s ? 0 : -1;
}

static void html_u64(FILE *out, uint64_t v)
{
	fprintf(out, "%llu", (unsigned long long)v);
}

static void num_cell(FILE *out, uint64_t v)
{
	fputs(v ? "<td class=\"num\">" : "<td class=\"num zero\">", out);
	html_u64(out, v);
	fputs("</td>", out);
}

/* "2 compatible, 1 incompatible" for titles */
static void counts_words(FILE *out, const struct oc_counts *c)
{
	int first = 1;

	for (int i = 0; i < OC_N; i++) {
		if (!c->n[i])
			continue;
		fprintf(out, "%s%llu %s", first ? "" : ", ",
			(unsigned long long)c->n[i], report_oc_info[i].name);
		first = 0;
	}
	if (first)
		fputs("no check", out);
}

static void legend(FILE *out)
{
	fputs("<div class=\"legend\">", out);
	for (int i = 0; i < OC_N; i++)
		fprintf(out, "<span><i class=\"%s\"></i>%c %s</span>", oc_css[i],
			report_oc_info[i].letter,
			i == OC_OTHER ? "other outcome" : report_oc_info[i].name);
	fputs("<span><i class=\"mixed\"></i>mixed (bar: the share of each)</span>"
	      "<span><i class=\"empty\"></i>. no check</span></div>\n", out);
}

static int matrix_cell(FILE *out, const struct report_matrix *mx, size_t r,
		       size_t j, const struct oc_counts *c)
{
	int single = oc_counts_single(c);
	const char *cls = single < 0 ? "empty" : single == OC_N ? "mixed" : oc_css[single];
	char text[128];
	int ret;

	oc_counts_format(c, text, sizeof(text));
	/* an empty cell stays short: a matrix may have millions of them */
	if (single < 0) {
		fputs("<td class=\"cell empty\">.</td>", out);
		return 0;
	}
	fprintf(out, "<td class=\"cell %s\" data-row=\"S%zu\" data-col=\"T%zu\" title=\"",
		cls, r + 1, j + 1);
	ret = html_take(out, show_target(mx->cols[j], 0));
	fputs(": ", out);
	counts_words(out, c);
	if (single == OC_N && c->latest_time) {
		char when[SHOW_TIME_LEN];

		fprintf(out, "; latest: %s at %s", report_oc_info[c->latest_oc].name,
			show_time(c->latest_time, when));
	}
	fputs("\">", out);
	html_text(out, text);
	if (single == OC_N) {
		fputs("<div class=\"bar\">", out);
		for (int i = 0; i < OC_N; i++)
			if (c->n[i])
				fprintf(out, "<i class=\"%s\" style=\"flex:%llu\"></i>",
					oc_css[i], (unsigned long long)c->n[i]);
		fputs("</div>", out);
	}
	fputs("</td>", out);
	return ret;
}

static int matrix(FILE *out, struct report_model *m)
{
	struct report_matrix mx;
	struct oc_counts *counts;
	int ret = 0;

	fputs("<h2>Compatibility matrix</h2>\n", out);
	if (report_matrix_build(m, &mx))
		return -1;
	/* every row has a cell in some column: both are empty or neither */
	if (!mx.n_rows || !mx.n_cols) {
		fputs("<p>No checks in the logs.</p>\n", out);
		return 0;
	}
	fputs("<ul class=\"notes\"><li>Rows: the version strings written by checks "
	      "(the source device's string, C-escaped), with the host/mdev_type that "
	      "read it when a log has that read.</li>"
	      "<li>Columns: the target host/mdev_type the string was written to.</li>"
	      "<li>Cells: number of checks by outcome, e.g. <code>C2 I1</code> = 2 "
	      "compatible, 1 incompatible; <code>C2 I1*</code>: the latest was the "
	      "incompatible one.</li></ul>\n", out);
	legend(out);
	counts = malloc(mx.n_cols * sizeof(*counts));
	if (!counts) {
		report_matrix_free(&mx);
		return -1;
	}
	fputs("<div class=\"scroll\"><table class=\"matrix\">\n<thead><tr>"
	      "<th class=\"sticky\">source version string</th>", out);
	for (size_t j = 0; j < mx.n_cols; j++) {
		fprintf(out, "<th class=\"col\" id=\"col-T%zu\" data-col=\"T%zu\"><span class=\"cid\">T%zu</span><b>",
			j + 1, j + 1, j + 1);
		ret |= html_take(out, show_name(mx.cols[j]->part[0]));
		fputs("</b>", out);
		ret |= html_take(out, show_name(mx.cols[j]->part[1]));
		fputs("</th>", out);
	}
	fputs("</tr></thead>\n<tbody>\n", out);
	for (size_t r = 0; r < mx.n_rows; r++) {
		int known = mx.rows[r].src_first < mx.rows[r].src_end;

		fprintf(out, "<tr data-row=\"S%zu\"><th class=\"row sticky\"><span class=\"rid\">S%zu</span><code>",
			r + 1, r + 1);
		ret |= html_take(out, show_bytes(mx.rows[r].bytes));
		fprintf(out, "</code><div class=\"src%s\"", known ? "" : " unknown");
		if (mx.rows[r].src_end - mx.rows[r].src_first > SHOW_SOURCES_MAX) {
			fputs(" title=\"", out);
			ret |= html_take(out, show_source(&mx, r, 0));
			fputc('"', out);
		}
		fputs(known ? ">source: " : ">", out);
		ret |= html_take(out, show_source(&mx, r, SHOW_SOURCES_MAX));
		fputs("</div></th>", out);
		report_matrix_row_counts(&mx, r, counts);
		for (size_t j = 0; j < mx.n_cols; j++)
			ret |= matrix_cell(out, &mx, r, j, &counts[j]);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
	free(counts);
	report_matrix_free(&mx);
	return ret;
}

/* The outcome classes of the kernel's own answer, as by_name bits. */
#define KERNEL_ANSWERS (1u << OC_COMPATIBLE | 1u << OC_INCOMPATIBLE | \
			1u << OC_UNSUPPORTED | 1u << OC_PARTIAL)

/* Gap ranges named per run before "and N more ranges" */
#define GAPS_SHOWN 8

/* Duplicates and gaps per host, as the text's "Records by identity":
 * only when some record has an identity. */
static int identity(FILE *out, struct report_model *m)
{
	const struct report_ids *ids = &m->ids;
	int ret = 0;

	if (!ids->n_runs)
		return 0;
	fputs("<h2>Records by identity</h2>\n<table class=\"identity\">\n<thead><tr>"
	      "<th>host</th><th>host_id</th><th>runs</th><th>records</th>"
	      "<th>duplicates</th><th>missing</th></tr></thead>\n<tbody>\n", out);
	for (size_t i = 0, end; i < ids->n_runs; i = end) {
		uint64_t records, dups, missing;
		char hid[9];

		end = report_ids_host_end(ids, i);
		report_ids_host_sum(ids, i, end, &records, &dups, &missing);
		report_ids_short(ids->runs[i].host_id, hid);
		fputs("<tr><td>", out);
		ret |= html_take(out, show_name((struct bstr){ ids->runs[i].host,
							      ids->runs[i].host_len }));
		fprintf(out, "</td><td>%s</td>", hid);
		num_cell(out, end - i);
		num_cell(out, records);
		num_cell(out, dups);
		num_cell(out, missing);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n<h2>Gaps</h2>\n", out);
	if (!ids->missing) {
		fputs("<p>None: every run's seq is complete from 1 to its last.</p>\n", out);
		return ret;
	}
	fputs("<table class=\"gaps\">\n<caption>seq missing within a run: records lost on "
	      "the way. A run whose end record is missing can lose its last records "
	      "unseen.</caption>\n<thead><tr><th>host</th>"
	      "<th>run</th><th>boot</th><th>missing</th><th>of</th><th>seq</th></tr></thead>\n"
	      "<tbody>\n", out);
	for (size_t i = 0; i < ids->n_runs; i++) {
		const struct rid_run *r = &ids->runs[i];
		char run[9], boot[9];

		if (!r->missing)
			continue;
		report_ids_short(r->run_id, run);
		report_ids_short(r->boot_id, boot);
		fputs("<tr><td>", out);
		ret |= html_take(out, show_name((struct bstr){ r->host, r->host_len }));
		fprintf(out, "</td><td>%s</td><td>%s</td>", run, boot);
		num_cell(out, r->missing);
		num_cell(out, r->max_seq);
		fputs("<td>", out);
		ret |= html_take(out, report_ids_gap_list(r, GAPS_SHOWN));
		fprintf(out, "%s</td></tr>\n", r->end_seq ? "" : " (no end record)");
	}
	fputs("</tbody></table>\n", out);
	return ret;
}

/* key/value rows of the summary */
static void kv(FILE *out, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void kv(FILE *out, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	if (vasprintf(&v, fmt, ap) < 0)
		v = NULL;
	va_end(ap);
	fprintf(out, "<tr><th>%s</th><td>", key);
	html_text(out, v ? v : "?");
	fputs("</td></tr>\n", out);
	free(v);
}

static uint64_t host_count(const struct tally_entry *const *e, size_t from,
			   size_t to, const char *kind)
{
	struct bstr k = { kind, strlen(kind) };

	for (size_t i = from; i < to; i++)
		if (bstr_eq(e[i]->part[1], k))
			return e[i]->count;
	return 0;
}

static int summary(FILE *out, struct report_model *m)
{
	size_t n, nhosts = 0;
	const struct tally_entry *const *h = tally_sorted(m->hosts, &n);
	const struct tally_entry *const *ro;
	size_t nro;
	int ret = n == (size_t)-1 ? -1 : 0;

	for (size_t i = 0; h && i < n; i = tally_run_end(h, n, i, 1))
		nhosts++;
	fputs("<h2>Summary</h2>\n<table class=\"summary\">\n", out);
	kv(out, "hosts", "%zu", nhosts);
	if (m->first_time[0]) {
		char t0[SHOW_TIME_LEN], t1[SHOW_TIME_LEN];

		kv(out, "time range", "%s .. %s", show_time(m->first_time, t0),
		   show_time(m->last_time, t1));
	} else {
		kv(out, "time range", "-");
	}
	kv(out, "checks", "%llu", (unsigned long long)m->checks);
	fputs("<tr><th>reads</th><td>", out);
	html_u64(out, m->reads);
	ro = tally_sorted(m->read_outcomes, &nro);
	for (size_t i = 0; ro && i < nro; i++) {
		fputs(i ? ", " : " (", out);
		ret |= html_take(out, show_name(ro[i]->part[0]));
		fprintf(out, " %llu%s", (unsigned long long)ro[i]->count, i + 1 == nro ? ")" : "");
	}
	fputs("</td></tr>\n", out);
	kv(out, "lifecycle", "%llu", (unsigned long long)m->lifecycle);
	kv(out, "migrations", "%zu %s", m->migs.n, plural(m->migs.n, "session", "sessions"));
	kv(out, "lost events", "%llu (lost records %llu, dropped records %llu)",
	   (unsigned long long)sat_add_u64(m->lost, m->dropped), (unsigned long long)m->lost,
	   (unsigned long long)m->dropped);
	if (m->from_db)
		kv(out, "input", "database, %llu %s, %llu malformed %s skipped",
		   (unsigned long long)m->lines, plural(m->lines, "row", "rows"),
		   (unsigned long long)m->malformed, plural(m->malformed, "row", "rows"));
	else
		kv(out, "input", "%llu %s, %llu %s, %llu malformed %s skipped",
		   (unsigned long long)m->logs, plural(m->logs, "log", "logs"),
		   (unsigned long long)m->lines, plural(m->lines, "line", "lines"),
		   (unsigned long long)m->malformed, plural(m->malformed, "line", "lines"));
	fputs("<tr><th>identity</th><td>", out);
	ret |= html_take(out, report_ids_summary(&m->ids));
	fputs("</td></tr>\n", out);
	fputs("</table>\n", out);

	fputs("<h2>Hosts</h2>\n", out);
	if (!h) {
		fputs("<p>None.</p>\n", out);
		return ret;
	}
	fputs("<table class=\"hosts\">\n<thead><tr><th>host</th><th>records</th>"
	      "<th>checks</th><th>reads</th><th>lost</th></tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < n; ) {
		size_t end = tally_run_end(h, n, i, 1);

		fputs("<tr><td>", out);
		ret |= html_take(out, show_name(h[i]->part[0]));
		fputs("</td>", out);
		num_cell(out, host_count(h, i, end, HOST_RECORDS));
		num_cell(out, host_count(h, i, end, HOST_CHECKS));
		num_cell(out, host_count(h, i, end, HOST_READS));
		num_cell(out, host_count(h, i, end, HOST_LOST));
		fputs("</tr>\n", out);
		i = end;
	}
	fputs("</tbody></table>\n", out);
	return ret | identity(out, m);
}

/*
 * A (name, outcome) tally as a table with one column per outcome class:
 * the classes in `classes` (bit per enum report_oc) always, the others
 * when some row has them.  An empty name shows as unnamed (NULL: "-").
 */
static int by_name(FILE *out, struct tally *tl, const char *title,
		   const char *head, const char *none, unsigned int classes,
		   const char *unnamed)
{
	struct oc_counts all = { 0 };
	size_t n;
	const struct tally_entry *const *e = tally_sorted(tl, &n);
	int ret = 0;

	fprintf(out, "<h2>%s</h2>\n", title);
	if (n == (size_t)-1)
		return -1;
	if (!n) {
		fprintf(out, "<p>%s</p>\n", none);
		return 0;
	}
	oc_counts_add(&all, e, 0, n, 1);
	for (int i = 0; i < OC_N; i++)
		if (all.n[i])
			classes |= 1u << i;
	fprintf(out, "<table>\n<thead><tr><th>%s</th><th>checks</th>", head);
	for (int i = 0; i < OC_N; i++)
		if (classes & (1u << i))
			fprintf(out, "<th class=\"%s\">%s</th>", oc_css[i], report_oc_info[i].name);
	fputs("</tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < n; ) {
		size_t end = tally_run_end(e, n, i, 1);
		struct oc_counts c = { 0 };

		oc_counts_add(&c, e, i, end, 1);
		fputs("<tr><td>", out);
		if (unnamed && !e[i]->part[0].len)
			html_text(out, unnamed);
		else
			ret |= html_take(out, show_name(e[i]->part[0]));
		fputs("</td>", out);
		num_cell(out, c.total);
		for (int k = 0; k < OC_N; k++)
			if (classes & (1u << k))
				num_cell(out, c.n[k]);
		fputs("</tr>\n", out);
		i = end;
	}
	fputs("</tbody></table>\n", out);
	return ret;
}

static int by_outcome(FILE *out, struct report_model *m)
{
	size_t n;
	const struct tally_entry *const *e = tally_sorted(m->outcomes, &n);
	struct oc_counts c = { 0 };
	int ret = 0;

	if (n == (size_t)-1)
		return -1;
	oc_counts_add(&c, e, 0, n, 0);
	fputs("<h2>Checks by outcome</h2>\n<table class=\"outcomes\">\n"
	      "<thead><tr><th>outcome</th><th>checks</th></tr></thead>\n<tbody>\n", out);
	for (int i = 0; i < OC_OTHER; i++) {
		if (i > OC_PARTIAL && !c.n[i])
			continue;
		fprintf(out, "<tr><td><b class=\"chip %s\">%c</b>%s</td>", oc_css[i],
			report_oc_info[i].letter, report_oc_info[i].name);
		num_cell(out, c.n[i]);
		fputs("</tr>\n", out);
	}
	for (size_t i = 0; i < n; i++) {
		if (report_oc_of(e[i]->part[0]) != OC_OTHER)
			continue;
		fputs("<tr><td><b class=\"chip other\">?</b>", out);
		ret |= html_take(out, show_name(e[i]->part[0]));
		fputs("</td>", out);
		num_cell(out, e[i]->count);
		fputs("</tr>\n", out);
	}
	fputs("<tr><th>total</th>", out);
	num_cell(out, c.total);
	fputs("</tr>\n</tbody></table>\n", out);
	return ret;
}

/* --- where can a VM go ---------------------------------------------------- */

/* Targets listed per answer on the full page before "+N more". */
#define HTML_TARGETS_MAX 8

static int heat_cell(FILE *out, const struct report_sources *s, size_t h, size_t k,
		     size_t max_c)
{
	struct bstr host = s->devs[s->host_first[h]]->part[0];
	size_t d = report_sources_find(s, host, s->types[k]);
	const struct src_group *g;
	const char *cls;
	char text[64];
	int ret = 0;

	fputs("<td", out);
	if (d == SRC_NO_GROUP) {
		fputs(" class=\"nodev\" title=\"no such device in the logs\"></td>", out);
		return 0;
	}
	fputs(" data-dev=\"", out);
	ret |= html_take(out, show_target(s->devs[d], 0));
	if (s->group_of[d] == SRC_NO_GROUP) {
		fputs("\" class=\"nosrc\" title=\"", out);
		ret |= html_take(out, show_target(s->devs[d], 0));
		fputs(": no version string read from it (not a source)\">-</td>", out);
		return ret;
	}
	g = &s->groups[s->group_of[d]];
	if (g->n_compatible) {
		/* four shades, the deepest for the most targets in the fleet */
		static const char *const q[] = { "q1", "q2", "q3", "q4" };

		cls = q[(g->n_compatible * 4 - 1) / (max_c ? max_c : 1)];
	} else {
		cls = g->n_other ? "none" : "unchecked";
	}
	fprintf(out, "\" class=\"%s\" title=\"", cls);
	ret |= html_take(out, show_target(s->devs[d], 0));
	fprintf(out, ": compatible on %zu, another outcome on %zu, never checked on %zu of %zu "
		"targets", g->n_compatible, g->n_other, g->n_never, s->n_devs);
	if (g->latest) {
		char when[SHOW_TIME_LEN];

		fprintf(out, "; latest check %s", show_time(g->latest, when));
	}
	if (g->n_compatible && g->n_other)
		snprintf(text, sizeof(text), "C%zu I%zu", g->n_compatible, g->n_other);
	else if (g->n_compatible || g->n_other)
		snprintf(text, sizeof(text), "%c%zu", g->n_compatible ? 'C' : 'I',
			 g->n_compatible ? g->n_compatible : g->n_other);
	else
		snprintf(text, sizeof(text), ".");
	fprintf(out, "\">%s</td>", text);
	return ret;
}

/* The type x host heatmap: a row per host, a cell per (host, type). */
static int heatmap(FILE *out, const struct report_sources *s)
{
	size_t max_c = 0;
	int ret = 0;

	for (size_t gi = 0; gi < s->n_groups; gi++)
		if (s->groups[gi].n_compatible > max_c)
			max_c = s->groups[gi].n_compatible;
	fputs("<div class=\"legend\"><span><i class=\"q4\" style=\"background:#1b5e20\"></i>"
	      "C: targets where a VM can go (deeper green: more)</span>"
	      "<span><i style=\"background:#ef9a9a\"></i>I: targets whose latest check was "
	      "not compatible, none compatible</span>"
	      "<span><i style=\"background:#eceff1\"></i>. its strings never checked</span>"
	      "<span><i style=\"background:#fafafa\"></i>- not a source (no string read)</span>"
	      "<span><i style=\"background:#fff\"></i>blank: no such device</span></div>\n", out);
	fputs("<div class=\"scroll\"><table class=\"heat\">\n<thead><tr>"
	      "<th class=\"sticky\">source host</th>", out);
	for (size_t k = 0; k < s->n_types; k++) {
		fputs("<th data-type=\"", out);
		ret |= html_take(out, show_name(s->types[k]));
		fputs("\">", out);
		ret |= html_take(out, show_name(s->types[k]));
		fputs("</th>", out);
	}
	fputs("</tr></thead>\n<tbody>\n", out);
	for (size_t h = 0; h < s->n_hosts; h++) {
		/* an id per row: file.html#heat-h60 opens the grid at host 61 */
		fprintf(out, "<tr id=\"heat-h%zu\"><th class=\"host sticky\">", h + 1);
		ret |= html_take(out, show_name(s->devs[s->host_first[h]]->part[0]));
		fputs("</th>", out);
		for (size_t k = 0; k < s->n_types; k++)
			ret |= heat_cell(out, s, h, k, max_c);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
	return ret;
}

/* One group's answer as lines of target chips, at most max a list (0: all). */
static int group_html(FILE *out, const struct report_sources *s,
		      const struct report_matrix *mx, size_t gi, size_t dev, size_t max)
{
	const struct src_group *g = &s->groups[gi];
	struct src_answer *a = calloc(s->n_devs, sizeof(*a));
	size_t *order = calloc(s->n_devs, sizeof(*order));
	size_t nd = dev == SRC_NO_GROUP ? g->n_devs : 1, shown_d, n_mine;
	struct bstr mine;
	int ret = 0;

	if (!a || !order) {
		free(a);
		free(order);
		return -1;
	}
	report_sources_answer(s, mx, gi, a);
	mine = s->devs[dev == SRC_NO_GROUP ? g->devs[0] : dev]->part[1];
	shown_d = max && max < nd ? max : nd;
	fputs("<div class=\"vm\" data-source=\"", out);
	ret |= html_take(out, show_target(s->devs[dev == SRC_NO_GROUP ? g->devs[0] : dev], 0));
	fputs("\">a VM on ", out);
	for (size_t i = 0; i < shown_d; i++) {
		fputs(i ? ", <code>" : "<code>", out);
		ret |= html_take(out, show_target(s->devs[dev == SRC_NO_GROUP ? g->devs[i] : dev], 0));
		fputs("</code>", out);
	}
	if (shown_d < nd)
		fprintf(out, " (+%zu more that read the same strings)", nd - shown_d);
	if (g->n_rows) {
		fputs(" <span class=\"rid\">strings", out);
		for (size_t k = 0; k < g->n_rows; k++)
			fprintf(out, "%s S%zu", k ? "," : "", g->rows[k] + 1);
		fputs("</span>", out);
	}
	fputs("</div>\n", out);
	for (int cls = 1; cls >= -1; cls--) {
		size_t n = report_sources_order(s, a, cls, mine, order, &n_mine);
		size_t shown = max && max < n ? max : n;

		fprintf(out, "<div class=\"ans %s\" data-answer=\"%s\"><b>%s on %zu of %zu</b>",
			cls > 0 ? "yes" : cls ? "never" : "no",
			cls > 0 ? "compatible" : cls ? "never" : "incompatible",
			cls > 0 ? "compatible" : cls ? "never checked" : "incompatible",
			n, s->n_devs);
		if (cls < 0 && n_mine && n_mine < n)
			fprintf(out, " <span class=\"rid\">(%zu of its own mdev type, first)</span>",
				n_mine);
		for (size_t i = 0; i < shown; i++) {
			const struct src_answer *x = &a[order[i]];
			char when[SHOW_TIME_LEN], cell[128];

			if (cls < 0) {
				fputs("<span class=\"t\">", out);
				ret |= html_take(out, show_target(s->devs[order[i]], 0));
				fputs("</span>", out);
				continue;
			}
			oc_counts_format(&x->c, cell, sizeof(cell));
			fprintf(out, "<span class=\"t %s\" title=\"latest: %s, string S%zu\">",
				oc_css[x->c.latest_oc], report_oc_info[x->c.latest_oc].name,
				x->latest_row + 1);
			ret |= html_take(out, show_target(s->devs[order[i]], 0));
			fprintf(out, "<i>%s &middot; ", show_time(x->c.latest_time, when));
			html_text(out, cell);
			fputs("</i></span>", out);
		}
		if (shown < n)
			fprintf(out, " +%zu more", n - shown);
		fputs("</div>\n", out);
	}
	free(a);
	free(order);
	return ret;
}

/* The section; dev != SRC_NO_GROUP: only that device's answer, in full. */
static int sources(FILE *out, struct report_model *m, size_t *dev_out,
		   struct bstr host, struct bstr type)
{
	struct report_matrix mx;
	struct report_sources s;
	int ret = 0;

	if (report_matrix_build(m, &mx))
		return -1;
	if (report_sources_build(m, &mx, &s)) {
		report_sources_free(&s);
		report_matrix_free(&mx);
		return -1;
	}
	if (dev_out) {
		size_t d = report_sources_find(&s, host, type);

		*dev_out = d;
		if (d != SRC_NO_GROUP && s.group_of[d] != SRC_NO_GROUP) {
			fputs("<h2>Where can a VM go</h2>\n", out);
			ret |= group_html(out, &s, &mx, s.group_of[d], d, 0);
		}
		goto out;
	}
	fputs("<h2>Where can a VM go</h2>\n", out);
	if (!s.n_groups) {
		fputs("<p>No source: no log has a read that returned a version string.</p>\n", out);
		goto out;
	}
	fprintf(out, "<ul class=\"notes\"><li>A source is a host/mdev_type that read a version "
		"string; a VM on it can go to a target (one of the %zu host/mdev_types in the "
		"logs) when the latest check of its strings there was compatible.</li>"
		"<li>A cell: C targets compatible, I targets whose latest check was another "
		"outcome; the rest never checked.</li></ul>\n", s.n_devs);
	ret |= heatmap(out, &s);
	fprintf(out, "<p>Per source, the latest check on each target, newest first (at most %d "
		"a list; all of one source: <code>report --source HOST/TYPE</code>):</p>\n",
		HTML_TARGETS_MAX);
	for (size_t gi = 0; gi < s.n_groups; gi++)
		ret |= group_html(out, &s, &mx, gi, SRC_NO_GROUP, HTML_TARGETS_MAX);
out:
	report_sources_free(&s);
	report_matrix_free(&mx);
	return ret;
}

/* --- migrations ------------------------------------------------------------ */

/* Migrations and failed sessions listed on the page; a fleet's years of
 * logs would otherwise make it unreadable. */
#define HTML_MIG_MAX 500

/* A host of a migration's end: "?" when that end is not in the logs. */
static int mig_host(FILE *out, struct bstr host)
{
	if (!host.len) {
		fputs("<span class=\"unknown\" title=\"not in the logs\">?</span>", out);
		return 0;
	}
	return html_take(out, show_name(host));
}

static void ms_cell(FILE *out, uint64_t ns)
{
	char ms[32];

	fprintf(out, "<td class=\"num\">%s</td>", mig_ms(ns, ms));
}

static int mig_groups_html(FILE *out, const struct report_migs *s,
			   const struct report_mig_view *v)
{
	int ret = 0;

	fputs("<table class=\"migrations\">\n<thead><tr><th>mdev type</th><th>source host</th>"
	      "<th>target host</th><th>migrations</th>", out);
	for (int i = 0; i < MIG_OC_N; i++)
		fprintf(out, "<th>%s</th>", mig_oc_name[i]);
	fputs("<th>downtime median (ms)</th><th>downtime max (ms)</th><th>bytes</th>"
	      "</tr></thead>\n<tbody>\n", out);
	for (size_t k = 0; k < v->n_groups; k++) {
		const struct report_mig_group *grp = &v->groups[k];
		const struct report_migration *g = &v->list[v->by_pair[grp->first]];

		fputs("<tr><td>", out);
		ret |= html_take(out, show_name(g->type));
		fputs("</td><td>", out);
		ret |= mig_host(out, mig_src_host(s, g));
		fputs("</td><td>", out);
		ret |= mig_host(out, mig_dst_host(s, g));
		fputs("</td>", out);
		num_cell(out, grp->end - grp->first);
		for (int i = 0; i < MIG_OC_N; i++)
			num_cell(out, grp->n_oc[i]);
		ms_cell(out, grp->down_median_ns);
		ms_cell(out, grp->down_max_ns);
		num_cell(out, grp->bytes);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	return ret;
}

static int mig_latest_html(FILE *out, const struct report_migs *s,
			   const struct report_mig_view *v)
{
	size_t shown = v->n;
	int ret = 0;

	if (shown > HTML_MIG_MAX)
		shown = HTML_MIG_MAX;

	fputs("<h2>Migrations, latest first</h2>\n<table class=\"mig-list\">\n<thead><tr>"
	      "<th>time</th><th>mdev type</th><th>source</th><th>target</th><th>outcome</th>"
	      "<th>downtime (ms)</th><th>bytes</th><th>VM</th></tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < shown; i++) {
		const struct report_migration *g = &v->list[i];
		char when[SHOW_TIME_LEN];

		fprintf(out, "<tr class=\"%s\"><td>%s</td><td>", mig_oc_name[g->oc],
			show_time(g->time, when));
		ret |= html_take(out, show_name(g->type));
		for (int end = 0; end < 2; end++) {
			size_t at = end ? g->dst : g->src;

			fputs("</td><td>", out);
			if (at == MIG_NONE) {
				ret |= mig_host(out, (struct bstr){ "", 0 });
				continue;
			}
			ret |= html_take(out, show_name(s->v[at].host));
			fputs("/", out);
			ret |= html_take(out, show_name(s->v[at].device));
		}
		fprintf(out, "</td><td>%s</td>", mig_oc_name[g->oc]);
		ms_cell(out, g->down_ns);
		if (g->has_bytes)
			num_cell(out, g->bytes);
		else
			fputs("<td class=\"num\">-</td>", out);
		fputs("<td>", out);
		ret |= html_take(out, show_name(g->vm));
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	if (shown < v->n)
		fprintf(out, "<p>%zu older migrations not shown.</p>\n", v->n - shown);
	return ret;
}

static int mig_failed_html(FILE *out, const struct report_migs *s,
			   const struct report_mig_view *v)
{
	size_t shown = v->n_failed;
	int ret = 0;

	if (shown > HTML_MIG_MAX)
		shown = HTML_MIG_MAX;

	fputs("<h2>Failed migration sessions</h2>\n", out);
	if (!v->n_failed) {
		fputs("<p>None.</p>\n", out);
		return 0;
	}
	fputs("<table class=\"mig-failed\">\n<thead><tr><th>time</th><th>host</th>"
	      "<th>device</th><th>mdev type</th><th>role</th><th>errno</th>"
	      "<th>path of states</th></tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < shown; i++) {
		const struct report_mig *g = &s->v[v->failed[i]];
		char when[SHOW_TIME_LEN];
		const struct bstr *f[] = { &g->host, &g->device, &g->type, &g->role,
					   &g->errno_name, &g->path };

		fprintf(out, "<tr><td>%s</td>", show_time(g->time, when));
		for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
			fputs(k == 5 ? "<td><code>" : "<td>", out);
			ret |= html_take(out, show_name(*f[k]));
			fputs(k == 5 ? "</code></td>" : "</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	if (shown < v->n_failed)
		fprintf(out, "<p>%zu older failed sessions not shown.</p>\n", v->n_failed - shown);
	return ret;
}

static int migrations(FILE *out, struct report_model *m)
{
	struct report_mig_view v;
	int ret = 0;

	fputs("<h2>Migrations</h2>\n", out);
	if (!m->migs.n) {
		fputs("<p>None: no migration record in the logs.</p>\n", out);
		return 0;
	}
	if (report_mig_view_build(&m->migs, &v)) {
		report_mig_view_free(&v);
		return -1;
	}
	fprintf(out, "<ul class=\"notes\"><li>A migration is a source session (it entered "
		"STOP_COPY or PRE_COPY) and the target session (RESUMING) it fed: paired on one "
		"host by the tracer, across hosts by the report (same mdev type and bytes, times "
		"overlapping or at most %d s apart); ? marks an end that is not in the logs.</li>"
		"<li>Downtime: the longer time stopped of its two ends.</li>"
		"<li>Sessions: %zu %s, %zu %s, %zu without a data phase; migrations %zu: %zu paired "
		"on one host, %zu across hosts.</li></ul>\n", MIG_PAIR_WINDOW_S,
		v.n_sources, plural(v.n_sources, "source", "sources"), v.n_targets,
		plural(v.n_targets, "target", "targets"), v.n_none, v.n, v.n_local, v.n_across);
	if (v.n) {
		ret |= mig_groups_html(out, &m->migs, &v);
		ret |= mig_latest_html(out, &m->migs, &v);
	} else {
		fputs("<p>No migration: no session was a source or a target.</p>\n", out);
	}
	ret |= mig_failed_html(out, &m->migs, &v);
	report_mig_view_free(&v);
	return ret;
}

static void page_head(FILE *out, struct report_model *m, const char *title)
{
	size_t nh;
	const struct tally_entry *const *h = tally_sorted(m->hosts, &nh);
	size_t hosts = 0;

	for (size_t i = 0; h && i < nh; i = tally_run_end(h, nh, i, 1))
		hosts++;
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n"
		"<h1>%s</h1>\n<p class=\"meta\">", title, style, title);
	fprintf(out, "%zu %s &middot; %llu %s &middot; %llu %s &middot; %llu lost %s",
		hosts, plural(hosts, "host", "hosts"),
		(unsigned long long)m->checks, plural(m->checks, "check", "checks"),
		(unsigned long long)m->reads, plural(m->reads, "read", "reads"),
		(unsigned long long)sat_add_u64(m->lost, m->dropped),
		plural(sat_add_u64(m->lost, m->dropped), "event", "events"));
	if (m->first_time[0]) {
		char t0[SHOW_TIME_LEN], t1[SHOW_TIME_LEN];

		fprintf(out, " &middot; %s .. %s", show_time(m->first_time, t0),
			show_time(m->last_time, t1));
	}
	fputs("</p>\n", out);
}

int report_write_html_source(FILE *out, struct report_model *m, struct bstr host,
			     struct bstr type)
{
	size_t d = SRC_NO_GROUP;
	int ret;

	page_head(out, m, "mdevver-trace report: one source");
	ret = sources(out, m, &d, host, type);
	fputs("</body>\n</html>\n", out);
	return ret ? -1 : 0;
}

int report_write_html(FILE *out, struct report_model *m)
{
	int ret = 0;

	page_head(out, m, "mdevver-trace report");
	ret |= sources(out, m, NULL, (struct bstr){ 0 }, (struct bstr){ 0 });
	ret |= matrix(out, m);
	ret |= migrations(out, m);
	ret |= summary(out, m);
	ret |= by_outcome(out, m);
	ret |= by_name(out, m->by_type, "Checks by mdev type", "mdev type", "None.",
		       KERNEL_ANSWERS, NULL);
	ret |= by_name(out, m->by_comm, "Checks by process", "comm", "None.",
		       KERNEL_ANSWERS, NULL);
	ret |= by_name(out, m->by_rule, "Denied by rule", "rule",
		       "None: no check was denied or would be (enforcement mode adds these).",
		       1u << OC_DENIED | 1u << OC_WOULD_DENY, "(no rule)");
	fputs("</body>\n</html>\n", out);
	return ret ? -1 : 0;
}
