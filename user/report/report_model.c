// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report_model.c - counting audit-log records for the report, and the
 * compatibility matrix view over those counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_model.h"
#include "sat.h"

const struct report_oc_info report_oc_info[OC_N] = {
	[OC_COMPATIBLE]   = { "compatible", 'C' },
	[OC_INCOMPATIBLE] = { "incompatible", 'I' },
	[OC_UNSUPPORTED]  = { "unsupported", 'U' },
	[OC_PARTIAL]      = { "partial", 'P' },
	[OC_DENIED]       = { "denied", 'D' },
	[OC_WOULD_DENY]   = { "would-deny", 'W' },
	[OC_OTHER]        = { "other", '?' },
};

static struct bstr bs(const char *s)
{
	return (struct bstr){ s, strlen(s) };
}

enum report_oc report_oc_of(struct bstr outcome)
{
	for (int i = 0; i < OC_OTHER; i++)
		if (bstr_eq(outcome, bs(report_oc_info[i].name)))
			return (enum report_oc)i;
	return OC_OTHER;
}

/* Is (t, oc) later than c's latest?  Ties go to the later class. */
static int later(const struct oc_counts *c, const char *t, int oc)
{
	int cmp;

	if (!t || !*t)
		return 0;
	if (!c->latest_time)
		return 1;
	cmp = strcmp(t, c->latest_time);
	return cmp > 0 || (cmp == 0 && oc > c->latest_oc);
}

void oc_counts_add(struct oc_counts *c, const struct tally_entry *const *e,
		   size_t from, size_t to, unsigned int part)
{
	for (size_t i = from; i < to; i++) {
		int oc = report_oc_of(e[i]->part[part]);

		sat_inc_u64(&c->n[oc], e[i]->count);
		sat_inc_u64(&c->total, e[i]->count);
		if (later(c, e[i]->latest, oc)) {
			c->latest_time = e[i]->latest;
			c->latest_oc = oc;
		}
	}
}

void oc_counts_merge(struct oc_counts *c, const struct oc_counts *other)
{
	for (int i = 0; i < OC_N; i++)
		sat_inc_u64(&c->n[i], other->n[i]);
	sat_inc_u64(&c->total, other->total);
	if (later(c, other->latest_time, other->latest_oc)) {
		c->latest_time = other->latest_time;
		c->latest_oc = other->latest_oc;
	}
}

size_t oc_counts_format(const struct oc_counts *c, char *buf, size_t sz)
{
	size_t len = 0;
	int mark;

	if (!sz)
		return 0;
	buf[0] = '\0';
	mark = oc_counts_single(c) == OC_N && c->latest_time ? c->latest_oc : -1;
	for (int i = 0; i < OC_N; i++) {
		int n;

		if (!c->n[i])
			continue;
		n = snprintf(buf + len, sz - len, "%s%c%llu%s", len ? " " : "",
			     report_oc_info[i].letter, (unsigned long long)c->n[i],
			     i == mark ? "*" : "");
		if (n < 0 || (size_t)n >= sz - len)
			break;
		len += (size_t)n;
	}
	if (!len && sz > 1) {
		buf[0] = '.';
		buf[1] = '\0';
		len = 1;
	}
	return len;
}

int oc_counts_single(const struct oc_counts *c)
{
	int found = -1;

	for (int i = 0; i < OC_N; i++) {
		if (!c->n[i])
			continue;
		if (found >= 0)
			return OC_N;
		found = i;
	}
	return found;
}

int report_model_init(struct report_model *m)
{
	memset(m, 0, sizeof(*m));
	m->hosts = tally_new(2);
	m->outcomes = tally_new(1);
	m->read_outcomes = tally_new(1);
	m->by_type = tally_new(2);
	m->by_comm = tally_new(2);
	m->by_rule = tally_new(2);
	m->cells = tally_new(4);
	m->targets = tally_new(2);
	m->sources = tally_new(3);
	m->devices = tally_new(2);
	if (!m->devices || !m->hosts || !m->outcomes || !m->read_outcomes || !m->by_type ||
	    !m->by_comm || !m->by_rule || !m->cells || !m->targets || !m->sources) {
		report_model_free(m);
		return -1;
	}
	return 0;
}

int report_model_finish(struct report_model *m)
{
	return report_ids_finish(&m->ids);
}

void report_model_free(struct report_model *m)
{
	report_ids_free(&m->ids);
	tally_free(m->hosts);
	tally_free(m->outcomes);
	tally_free(m->read_outcomes);
	tally_free(m->by_type);
	tally_free(m->by_comm);
	tally_free(m->by_rule);
	tally_free(m->cells);
	tally_free(m->targets);
	tally_free(m->sources);
	tally_free(m->devices);
	report_migs_free(&m->migs);
	memset(m, 0, sizeof(*m));
}

/* tally_add with the parts listed inline; nonzero when out of memory */
#define ADD(t, n, ...) \
	tally_add((t), (const struct bstr[]){ __VA_ARGS__ }, (n))

static int add_check(struct report_model *m, const struct report_record *r)
{
	enum report_oc oc = report_oc_of(r->outcome);
	int err = 0;

	sat_inc_u64(&m->checks, r->count);
	err |= ADD(m->hosts, r->count, r->host, bs(HOST_CHECKS));
	err |= ADD(m->outcomes, r->count, r->outcome);
	err |= ADD(m->by_type, r->count, r->mdev_type, r->outcome);
	err |= ADD(m->by_comm, r->count, r->comm, r->outcome);
	/* a denial without a rule still counts, under the empty rule */
	if (oc == OC_DENIED || oc == OC_WOULD_DENY)
		err |= ADD(m->by_rule, r->count, r->has_rule ? r->rule : bs(""), r->outcome);
	err |= tally_add_at(m->cells, (const struct bstr[]){ r->bytes, r->host,
			    r->mdev_type, r->outcome }, r->count, r->time);
	err |= ADD(m->targets, r->count, r->host, r->mdev_type);
	err |= ADD(m->devices, r->count, r->host, r->mdev_type);
	return err ? -1 : 0;
}

static int add_read(struct report_model *m, const struct report_record *r)
{
	int err = 0;

	sat_inc_u64(&m->reads, r->count);
	err |= ADD(m->hosts, r->count, r->host, bs(HOST_READS));
	err |= ADD(m->read_outcomes, r->count, r->outcome);
	/* any read, even unsupported, shows the device exists: a target */
	err |= ADD(m->devices, r->count, r->host, r->mdev_type);
	/* only a read that returned the string identifies a source device */
	if (bstr_eq(r->outcome, bs("ok")))
		err |= ADD(m->sources, r->count, r->bytes, r->host, r->mdev_type);
	return err ? -1 : 0;
}

int report_model_add(struct report_model *m, const struct report_record *r)
{
	/* a duplicate counts nowhere else: the same record shipped twice is
	 * one check (the audit log's "dropped" never has an identity) */
	int dup = report_ids_add(&m->ids, r->has_id, r->host_id, r->boot_id, r->run_id,
				 r->seq, r->is_end, r->host, r->kind != REC_DROPPED);

	if (dup)
		return dup < 0 ? -1 : 0;
	m->records++;
	if (!m->first_time[0] || strcmp(r->time, m->first_time) < 0)
		memcpy(m->first_time, r->time, sizeof(m->first_time));
	if (strcmp(r->time, m->last_time) > 0)
		memcpy(m->last_time, r->time, sizeof(m->last_time));
	if (ADD(m->hosts, 1, r->host, bs(HOST_RECORDS)))
		return -1;
	switch (r->kind) {
	case REC_CHECK:
		return add_check(m, r);
	case REC_READ:
		return add_read(m, r);
	case REC_LOST:
		sat_inc_u64(&m->lost, r->lost);
		return ADD(m->hosts, r->lost, r->host, bs(HOST_LOST));
	case REC_DROPPED:
		sat_inc_u64(&m->dropped, r->lost);
		return ADD(m->hosts, r->lost, r->host, bs(HOST_LOST));
	case REC_LIFECYCLE:
		m->lifecycle++;
		break;
	case REC_MIGRATION:
		return report_migs_add(&m->migs, r);
	case REC_OTHER:
		break;
	}
	return 0;
}

/* First index in sorted e[0..n) whose part 0 is not below key. */
static size_t lower_bound(const struct tally_entry *const *e, size_t n, struct bstr key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bstr_cmp(e[mid]->part[0], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int report_matrix_build(struct report_model *m, struct report_matrix *mx)
{
	size_t nrows = 0;

	memset(mx, 0, sizeof(*mx));
	mx->cols = tally_sorted(m->targets, &mx->n_cols);
	mx->cells = tally_sorted(m->cells, &mx->n_cells);
	mx->src = tally_sorted(m->sources, &mx->n_src);
	if (mx->n_cols == (size_t)-1 || mx->n_cells == (size_t)-1 ||
	    mx->n_src == (size_t)-1)
		return -1;
	for (size_t i = 0; i < mx->n_cells; i = tally_run_end(mx->cells, mx->n_cells, i, 1))
		nrows++;
	if (!nrows)
		return 0;
	mx->rows = calloc(nrows, sizeof(*mx->rows));
	if (!mx->rows)
		return -1;
	for (size_t i = 0; i < mx->n_cells; ) {
		struct report_row *r = &mx->rows[mx->n_rows++];
		size_t end = tally_run_end(mx->cells, mx->n_cells, i, 1);

		r->bytes = mx->cells[i]->part[0];
		r->cell_first = i;
		r->cell_end = end;
		r->src_first = lower_bound(mx->src, mx->n_src, r->bytes);
		r->src_end = r->src_first;
		while (r->src_end < mx->n_src &&
		       bstr_eq(mx->src[r->src_end]->part[0], r->bytes))
			r->src_end++;
		i = end;
	}
	return 0;
}

void report_matrix_free(struct report_matrix *mx)
{
	free(mx->rows);
	memset(mx, 0, sizeof(*mx));
}

void report_matrix_row_counts(const struct report_matrix *mx, size_t row,
			      struct oc_counts *out)
{
	const struct report_row *r = &mx->rows[row];
	size_t col = 0;

	memset(out, 0, mx->n_cols * sizeof(*out));
	/* the row's cells are sorted by (host, mdev_type) as the columns
	 * are, and every cell's target is a column: one merge pass */
	for (size_t i = r->cell_first; i < r->cell_end; ) {
		size_t end = tally_run_end(mx->cells, r->cell_end, i, 3);
		const struct tally_entry *c = mx->cells[i];

		while (col < mx->n_cols &&
		       (!bstr_eq(mx->cols[col]->part[0], c->part[1]) ||
			!bstr_eq(mx->cols[col]->part[1], c->part[2])))
			col++;
		if (col == mx->n_cols)
			break;	/* cannot happen: targets holds every cell's target */
		oc_counts_add(&out[col], mx->cells, i, end, 3);
		i = end;
	}
}
