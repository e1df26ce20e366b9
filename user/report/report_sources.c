// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report_sources.c - source devices, grouped by the strings they read, and
 * each group's latest answer on every target (see report_sources.h).
 * Everything is derived from the sorted tallies, so the order is the same
 * whatever the order of the logs.
 */
#define _GNU_SOURCE	/* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "report_sources.h"

size_t report_sources_find(const struct report_sources *s, struct bstr host,
			   struct bstr type)
{
	size_t lo = 0, hi = s->n_devs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = bstr_cmp(s->devs[mid]->part[0], host);

		if (!c)
			c = bstr_cmp(s->devs[mid]->part[1], type);
		if (!c)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SRC_NO_GROUP;
}

/* A read of a string by a device: (device index, the source entry). */
struct dev_str {
	size_t dev;
	const struct tally_entry *src;	/* (bytes, host, mdev_type) */
};

static int dev_str_cmp(const void *a, const void *b)
{
	const struct dev_str *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return bstr_cmp(x->src->part[0], y->src->part[0]);
}

/* A device's run of strings in the sorted dev_str array. */
struct dev_run {
	size_t dev, first, n;
};

/* Order of two devices' string lists. */
static int strings_cmp(const struct dev_str *ds, const struct dev_run *x,
		       const struct dev_run *y)
{
	for (size_t i = 0; i < x->n && i < y->n; i++) {
		int c = bstr_cmp(ds[x->first + i].src->part[0], ds[y->first + i].src->part[0]);

		if (c)
			return c;
	}
	return x->n < y->n ? -1 : x->n > y->n;
}

/* By string list, then by device: the groups, each in device order. */
static int run_cmp(const void *a, const void *b, void *arg)
{
	const struct dev_run *x = a, *y = b;
	int c = strings_cmp(arg, x, y);

	if (c)
		return c;
	return x->dev < y->dev ? -1 : x->dev > y->dev;
}

/* The matrix row of a string, or SRC_NO_GROUP (never checked). */
static size_t find_row(const struct report_matrix *mx, struct bstr bytes)
{
	size_t lo = 0, hi = mx->n_rows;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = bstr_cmp(mx->rows[mid].bytes, bytes);

		if (!c)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SRC_NO_GROUP;
}

static int bstr_qcmp(const void *a, const void *b)
{
	return bstr_cmp(*(const struct bstr *)a, *(const struct bstr *)b);
}

/* The distinct types and the hosts' first devices. */
static int axes(struct report_sources *s)
{
	size_t n = 0;

	s->types = calloc(s->n_devs ? s->n_devs : 1, sizeof(*s->types));
	s->host_first = calloc(s->n_devs ? s->n_devs : 1, sizeof(*s->host_first));
	if (!s->types || !s->host_first)
		return -1;
	for (size_t i = 0; i < s->n_devs; i++) {
		s->types[i] = s->devs[i]->part[1];
		if (!i || !bstr_eq(s->devs[i]->part[0], s->devs[i - 1]->part[0]))
			s->host_first[s->n_hosts++] = i;
	}
	qsort(s->types, s->n_devs, sizeof(*s->types), bstr_qcmp);
	for (size_t i = 0; i < s->n_devs; i++)
		if (!n || !bstr_eq(s->types[i], s->types[n - 1]))
			s->types[n++] = s->types[i];
	s->n_types = n;
	return 0;
}

/* The group's strings that were checked: their matrix rows. */
static int group_rows(struct src_group *g, const struct report_matrix *mx,
		      const struct dev_str *ds, const struct dev_run *run)
{
	g->n_strings = run->n;
	g->rows = calloc(run->n, sizeof(*g->rows));
	if (!g->rows)
		return -1;
	for (size_t i = 0; i < run->n; i++) {
		size_t r = find_row(mx, ds[run->first + i].src->part[0]);

		if (r != SRC_NO_GROUP)
			g->rows[g->n_rows++] = r;
	}
	return 0;
}

static void group_summary(struct report_sources *s, const struct report_matrix *mx,
			  size_t gi, struct src_answer *ans)
{
	struct src_group *g = &s->groups[gi];

	report_sources_answer(s, mx, gi, ans);
	for (size_t t = 0; t < s->n_devs; t++) {
		int cls = src_answer_class(&ans[t]);

		if (cls < 0) {
			g->n_never++;
			continue;
		}
		if (cls)
			g->n_compatible++;
		else
			g->n_other++;
		if (!g->latest || strcmp(ans[t].c.latest_time, g->latest) > 0)
			g->latest = ans[t].c.latest_time;
	}
}

static int group_cmp(const void *a, const void *b)
{
	const struct src_group *x = a, *y = b;

	return x->devs[0] < y->devs[0] ? -1 : x->devs[0] > y->devs[0];
}

int report_sources_build(struct report_model *m, const struct report_matrix *mx,
			 struct report_sources *s)
{
	struct dev_str *ds = NULL;
	struct dev_run *runs = NULL;
	struct src_answer *ans = NULL;
	size_t nds = 0, nruns = 0;
	int ret = -1;

	memset(s, 0, sizeof(*s));
	s->devs = tally_sorted(m->devices, &s->n_devs);
	if (s->n_devs == (size_t)-1) {
		s->n_devs = 0;
		return -1;
	}
	if (axes(s))
		goto out;
	s->group_of = malloc((s->n_devs ? s->n_devs : 1) * sizeof(*s->group_of));
	ds = calloc(mx->n_src ? mx->n_src : 1, sizeof(*ds));
	runs = calloc(mx->n_src ? mx->n_src : 1, sizeof(*runs));
	ans = calloc(s->n_devs ? s->n_devs : 1, sizeof(*ans));
	if (!s->group_of || !ds || !runs || !ans)
		goto out;
	for (size_t i = 0; i < s->n_devs; i++)
		s->group_of[i] = SRC_NO_GROUP;
	/* every read that returned a string: by device, then by string */
	for (size_t i = 0; i < mx->n_src; i++) {
		size_t d = report_sources_find(s, mx->src[i]->part[1], mx->src[i]->part[2]);

		if (d != SRC_NO_GROUP)	/* always: devices has every read's device */
			ds[nds++] = (struct dev_str){ d, mx->src[i] };
	}
	qsort(ds, nds, sizeof(*ds), dev_str_cmp);
	for (size_t i = 0; i < nds; ) {
		size_t j = i;

		while (j < nds && ds[j].dev == ds[i].dev)
			j++;
		runs[nruns++] = (struct dev_run){ ds[i].dev, i, j - i };
		i = j;
	}
	/* devices with equal string lists next to each other: the groups */
	qsort_r(runs, nruns, sizeof(*runs), run_cmp, ds);
	s->groups = calloc(nruns ? nruns : 1, sizeof(*s->groups));
	if (!s->groups)
		goto out;
	for (size_t i = 0; i < nruns; ) {
		struct src_group *g = &s->groups[s->n_groups];
		size_t j = i + 1;

		while (j < nruns && !strings_cmp(ds, &runs[i], &runs[j]))
			j++;
		g->devs = calloc(j - i, sizeof(*g->devs));
		if (!g->devs || group_rows(g, mx, ds, &runs[i]))
			goto out;
		s->n_groups++;
		for (size_t k = i; k < j; k++) {
			g->devs[g->n_devs++] = runs[k].dev;
			s->group_of[runs[k].dev] = s->n_groups - 1;
		}
		i = j;
	}
	/* shown by their first device, the way an operator looks one up */
	qsort(s->groups, s->n_groups, sizeof(*s->groups), group_cmp);
	for (size_t gi = 0; gi < s->n_groups; gi++) {
		for (size_t k = 0; k < s->groups[gi].n_devs; k++)
			s->group_of[s->groups[gi].devs[k]] = gi;
		group_summary(s, mx, gi, ans);
	}
	ret = 0;
out:
	free(ds);
	free(runs);
	free(ans);
	return ret;
}

void report_sources_free(struct report_sources *s)
{
	for (size_t i = 0; s->groups && i < s->n_groups; i++) {
		free(s->groups[i].devs);
		free(s->groups[i].rows);
	}
	free(s->groups);
	free(s->group_of);
	free(s->types);
	free(s->host_first);
	memset(s, 0, sizeof(*s));
}

void report_sources_answer(const struct report_sources *s, const struct report_matrix *mx,
			   size_t gi, struct src_answer *out)
{
	const struct src_group *g = &s->groups[gi];

	memset(out, 0, s->n_devs * sizeof(*out));
	for (size_t k = 0; k < g->n_rows; k++) {
		const struct report_row *r = &mx->rows[g->rows[k]];

		/* the row's cells: runs of (bytes, host, mdev_type) by outcome */
		for (size_t i = r->cell_first; i < r->cell_end; ) {
			size_t end = tally_run_end(mx->cells, r->cell_end, i, 3);
			size_t t = report_sources_find(s, mx->cells[i]->part[1],
						       mx->cells[i]->part[2]);
			struct oc_counts c = { 0 };

			oc_counts_add(&c, mx->cells, i, end, 3);
			if (t != SRC_NO_GROUP) {
				oc_counts_merge(&out[t].c, &c);
				/* the merge kept this row's latest: it is the newest */
				if (out[t].c.latest_time == c.latest_time)
					out[t].latest_row = g->rows[k];
			}
			i = end;
		}
	}
}

struct order_ctx {
	const struct report_sources *s;
	const struct src_answer *a;
	struct bstr mine;
};

static int order_cmp(const void *x, const void *y, void *arg)
{
	const struct order_ctx *o = arg;
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	const char *ti = o->a[i].c.latest_time, *tj = o->a[j].c.latest_time;

	if (ti && tj) {
		int c = strcmp(tj, ti);	/* newest first */

		if (c)
			return c;
	} else {
		int mi = bstr_eq(o->s->devs[i]->part[1], o->mine);
		int mj = bstr_eq(o->s->devs[j]->part[1], o->mine);

		if (mi != mj)
			return mj - mi;	/* its own type first */
	}
	return i < j ? -1 : i > j;	/* devs order: by host, then type */
}

size_t report_sources_order(const struct report_sources *s, const struct src_answer *a,
			    int cls, struct bstr mine, size_t *order, size_t *n_mine)
{
	struct order_ctx o = { s, a, mine };
	size_t n = 0, m = 0;

	for (size_t t = 0; t < s->n_devs; t++)
		if (src_answer_class(&a[t]) == cls) {
			order[n++] = t;
			m += bstr_eq(s->devs[t]->part[1], mine);
		}
	qsort_r(order, n, sizeof(*order), order_cmp, &o);
	if (n_mine)
		*n_mine = m;
	return n;
}
