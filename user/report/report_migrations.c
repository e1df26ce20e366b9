// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report_migrations.c - migration records kept, their ends paired, the
 * migrations grouped per mdev type and host pair (report_migrations.h).
 */
#define _GNU_SOURCE	/* timegm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_migrations.h"
#include "sat.h"

const char *const mig_oc_name[MIG_OC_N] = {
	[MIG_COMPLETED] = "completed",
	[MIG_IN_PROGRESS] = "in-progress",
	[MIG_ABANDONED] = "abandoned",
	[MIG_FAILED] = "failed",
	[MIG_OTHER] = "other",
};

static int copy(struct bstr *to, struct bstr from)
{
	char *p = malloc(from.len + 1);

	if (!p)
		return -1;
	if (from.len)
		memcpy(p, from.p, from.len);
	p[from.len] = '\0';
	to->p = p;
	to->len = from.len;
	return 0;
}

/* A normalized time (report_record.h) in ns since the epoch. */
static int64_t time_ns(const char *t)
{
	struct tm tm = { 0 };
	long ns = 0;

	if (sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d.%9ldZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ns) != 7)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	/* ns since the epoch end in 2262: later (or much earlier) times a
	 * log may hold are kept in order at the limit, not overflowed */
	int64_t secs = (int64_t)timegm(&tm), out;

	if (__builtin_mul_overflow(secs, (int64_t)1000000000, &out) ||
	    __builtin_add_overflow(out, (int64_t)ns, &out))
		return secs < 0 ? INT64_MIN : INT64_MAX;
	return out;
}

static void mig_free(struct report_mig *g)
{
	struct bstr *b[] = { &g->host, &g->device, &g->type, &g->role, &g->outcome, &g->path,
			     &g->errno_name, &g->vm, &g->peer_device };

	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		free((char *)b[i]->p);
}

int report_migs_add(struct report_migs *s, const struct report_record *r)
{
	const struct report_mig_fields *f = &r->mig;
	struct report_mig *g;
	int err = 0;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct report_mig *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	g = &s->v[s->n];
	memset(g, 0, sizeof(*g));
	err |= copy(&g->host, r->host);
	err |= copy(&g->device, f->device);
	err |= copy(&g->type, r->mdev_type);
	err |= copy(&g->role, f->role);
	err |= copy(&g->outcome, r->outcome);
	err |= copy(&g->path, f->path);
	err |= copy(&g->errno_name, f->errno_name);
	err |= copy(&g->vm, f->vm);
	err |= copy(&g->peer_device, f->peer_device);
	if (err) {
		mig_free(g);
		return -1;
	}
	g->session = f->session;
	g->peer_session = f->peer_session;
	g->stopped_ns = f->stopped_ns;
	g->bytes = f->bytes;
	g->has_bytes = f->has_bytes;
	memcpy(g->time, r->time, sizeof(g->time));
	memcpy(g->started, f->started, sizeof(g->started));
	g->start_ns = time_ns(g->started);
	g->end_ns = time_ns(g->time);
	if (g->end_ns < g->start_ns)
		g->end_ns = g->start_ns;
	g->peer = MIG_NONE;
	s->n++;
	return 0;
}

void report_migs_free(struct report_migs *s)
{
	for (size_t i = 0; i < s->n; i++)
		mig_free(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static bool is_role(const struct report_mig *g, const char *role)
{
	return bstr_eq(g->role, (struct bstr){ role, strlen(role) });
}

static enum mig_oc oc_of(struct bstr outcome)
{
	for (int i = 0; i < MIG_OTHER; i++)
		if (bstr_eq(outcome, (struct bstr){ mig_oc_name[i], strlen(mig_oc_name[i]) }))
			return (enum mig_oc)i;
	return MIG_OTHER;
}

/* Seconds between two sessions: 0 when their times overlap. */
static uint64_t gap_ns(const struct report_mig *a, const struct report_mig *b)
{
	int64_t lo = a->start_ns > b->start_ns ? a->start_ns : b->start_ns;
	int64_t hi = a->end_ns < b->end_ns ? a->end_ns : b->end_ns;

	return lo > hi ? (uint64_t)(lo - hi) : 0;
}

static uint64_t dist_ns(int64_t a, int64_t b)
{
	return a > b ? (uint64_t)(a - b) : (uint64_t)(b - a);
}

/* On one host: the end the tracer named (peer_session, and peer_device
 * when given); sessions restart with the tracer, so of several such
 * records the one closest in time. */
static void pair_local(struct report_migs *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct report_mig *t = &s->v[i];
		size_t best = MIG_NONE;

		if (!is_role(t, "target") || !t->peer_session || t->peer != MIG_NONE)
			continue;
		for (size_t j = 0; j < s->n; j++) {
			const struct report_mig *c = &s->v[j];

			if (c->peer != MIG_NONE || !is_role(c, "source") ||
			    c->session != t->peer_session || !bstr_eq(c->host, t->host) ||
			    (t->peer_device.len && !bstr_eq(t->peer_device, c->device)))
				continue;
			if (best == MIG_NONE || dist_ns(c->end_ns, t->end_ns) <
						dist_ns(s->v[best].end_ns, t->end_ns))
				best = j;
		}
		if (best != MIG_NONE) {
			t->peer = best;
			s->v[best].peer = i;
		}
	}
}

static const struct report_migs *order_migs;

static int cmp_start(const void *a, const void *b)
{
	const struct report_mig *x = &order_migs->v[*(const size_t *)a];
	const struct report_mig *y = &order_migs->v[*(const size_t *)b];

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Across hosts: see report_migrations.h. */
static int pair_across(struct report_migs *s)
{
	size_t *order = malloc((s->n ? s->n : 1) * sizeof(*order)), n = 0;
	const uint64_t window = (uint64_t)MIG_PAIR_WINDOW_S * 1000000000;

	if (!order)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		if (is_role(&s->v[i], "target") && s->v[i].peer == MIG_NONE && s->v[i].has_bytes)
			order[n++] = i;
	/* qsort has no context argument in C11; the report is single-threaded */
	order_migs = s;
	qsort(order, n, sizeof(*order), cmp_start);
	for (size_t k = 0; k < n; k++) {
		struct report_mig *t = &s->v[order[k]];
		size_t best = MIG_NONE;
		uint64_t best_gap = 0, best_dist = 0;

		for (size_t j = 0; j < s->n; j++) {
			const struct report_mig *c = &s->v[j];
			uint64_t g, d;

			if (c->peer != MIG_NONE || !is_role(c, "source") || !c->has_bytes ||
			    c->bytes != t->bytes || bstr_eq(c->host, t->host) ||
			    !bstr_eq(c->type, t->type))
				continue;
			g = gap_ns(c, t);
			d = dist_ns(c->start_ns, t->start_ns);
			if (g > window)
				continue;
			if (best == MIG_NONE || g < best_gap || (g == best_gap && d < best_dist)) {
				best = j;
				best_gap = g;
				best_dist = d;
			}
		}
		if (best != MIG_NONE) {
			t->peer = best;
			t->across = true;
			s->v[best].peer = order[k];
			s->v[best].across = true;
		}
	}
	free(order);
	return 0;
}

static const struct report_migs *view_migs;
static const struct report_mig_view *view_v;

/* Latest first: by the later end's time, then the later record. */
static int cmp_latest(const void *a, const void *b)
{
	const struct report_migration *x = a, *y = b;
	int c = strcmp(y->time, x->time);
	size_t xi = x->src != MIG_NONE ? x->src : x->dst, yi = y->src != MIG_NONE ? y->src : y->dst;

	return c ? c : yi > xi ? 1 : yi < xi ? -1 : 0;
}

struct bstr mig_src_host(const struct report_migs *s, const struct report_migration *g)
{
	return g->src == MIG_NONE ? (struct bstr){ "", 0 } : s->v[g->src].host;
}

struct bstr mig_dst_host(const struct report_migs *s, const struct report_migration *g)
{
	return g->dst == MIG_NONE ? (struct bstr){ "", 0 } : s->v[g->dst].host;
}

/* A known host before an unknown one ("?", shown last). */
static int cmp_host(struct bstr a, struct bstr b)
{
	if (!a.len != !b.len)
		return a.len ? -1 : 1;
	return bstr_cmp(a, b);
}

static int cmp_pair_key(const struct report_migration *x, const struct report_migration *y)
{
	int c = bstr_cmp(x->type, y->type);

	if (!c)
		c = cmp_host(mig_src_host(view_migs, x), mig_src_host(view_migs, y));
	if (!c)
		c = cmp_host(mig_dst_host(view_migs, x), mig_dst_host(view_migs, y));
	return c;
}

/* By (type, source host, target host); within one, latest first. */
static int cmp_pair(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = cmp_pair_key(&view_v->list[i], &view_v->list[j]);

	return c ? c : i < j ? -1 : i > j ? 1 : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_failed(const void *a, const void *b)
{
	const struct report_mig *x = &view_migs->v[*(const size_t *)a];
	const struct report_mig *y = &view_migs->v[*(const size_t *)b];
	int c = strcmp(y->time, x->time);

	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	return c ? c : j > i ? 1 : j < i ? -1 : 0;
}

/* One migration from its ends. */
static void migration_of(const struct report_migs *s, size_t src, size_t dst,
			 struct report_migration *g)
{
	const struct report_mig *a = src != MIG_NONE ? &s->v[src] : NULL;
	const struct report_mig *b = dst != MIG_NONE ? &s->v[dst] : NULL;
	const struct report_mig *first = a ? a : b;
	enum mig_oc oa = a ? oc_of(a->outcome) : MIG_COMPLETED;
	enum mig_oc ob = b ? oc_of(b->outcome) : MIG_COMPLETED;

	memset(g, 0, sizeof(*g));
	if (!first)		/* a group has a source, a target or both */
		return;
	g->src = src;
	g->dst = dst;
	g->time = a && b && strcmp(b->time, a->time) > 0 ? b->time : first->time;
	g->oc = oa > ob ? oa : ob;
	g->down_ns = a ? a->stopped_ns : 0;
	if (b && b->stopped_ns > g->down_ns)
		g->down_ns = b->stopped_ns;
	if (a && a->has_bytes) {
		g->has_bytes = true;
		g->bytes = a->bytes;
	} else if (b && b->has_bytes) {
		g->has_bytes = true;
		g->bytes = b->bytes;
	}
	g->type = first->type;
	g->vm = a && a->vm.len ? a->vm : b ? b->vm : first->vm;
}

static int build_groups(const struct report_migs *s, struct report_mig_view *v)
{
	uint64_t *down = malloc((v->n ? v->n : 1) * sizeof(*down));

	v->by_pair = malloc((v->n ? v->n : 1) * sizeof(*v->by_pair));
	v->groups = calloc(v->n ? v->n : 1, sizeof(*v->groups));
	if (!down || !v->by_pair || !v->groups) {
		free(down);
		return -1;
	}
	for (size_t i = 0; i < v->n; i++)
		v->by_pair[i] = i;
	view_migs = s;
	view_v = v;
	qsort(v->by_pair, v->n, sizeof(*v->by_pair), cmp_pair);
	for (size_t i = 0; i < v->n; ) {
		struct report_mig_group *grp = &v->groups[v->n_groups++];
		size_t end = i + 1, k = 0;

		while (end < v->n && !cmp_pair_key(&v->list[v->by_pair[i]],
						    &v->list[v->by_pair[end]]))
			end++;
		grp->first = i;
		grp->end = end;
		for (size_t j = i; j < end; j++) {
			const struct report_migration *g = &v->list[v->by_pair[j]];

			grp->n_oc[g->oc]++;
			down[k++] = g->down_ns;
			if (g->has_bytes)
				grp->bytes = sat_add_u64(grp->bytes, g->bytes);
		}
		qsort(down, k, sizeof(*down), cmp_u64);
		grp->down_max_ns = down[k - 1];
		/* an even count: the mean of the middle two */
		grp->down_median_ns = k % 2 ? down[k / 2] :
				      down[k / 2 - 1] / 2 + down[k / 2] / 2 +
				      (down[k / 2 - 1] % 2 + down[k / 2] % 2) / 2;
		i = end;
	}
	free(down);
	return 0;
}

int report_mig_view_build(struct report_migs *s, struct report_mig_view *v)
{
	memset(v, 0, sizeof(*v));
	for (size_t i = 0; i < s->n; i++) {
		s->v[i].peer = MIG_NONE;
		s->v[i].across = false;
	}
	pair_local(s);
	if (pair_across(s))
		return -1;
	v->list = calloc(s->n ? s->n : 1, sizeof(*v->list));
	v->failed = malloc((s->n ? s->n : 1) * sizeof(*v->failed));
	if (!v->list || !v->failed)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		const struct report_mig *g = &s->v[i];

		if (oc_of(g->outcome) == MIG_FAILED)
			v->failed[v->n_failed++] = i;
		if (is_role(g, "source")) {
			v->n_sources++;
			migration_of(s, i, g->peer, &v->list[v->n++]);
			if (g->peer != MIG_NONE)
				g->across ? v->n_across++ : v->n_local++;
		} else if (is_role(g, "target")) {
			v->n_targets++;
			if (g->peer == MIG_NONE)
				migration_of(s, MIG_NONE, i, &v->list[v->n++]);
		} else {
			v->n_none++;	/* state changes without a data phase */
		}
	}
	view_migs = s;
	qsort(v->list, v->n, sizeof(*v->list), cmp_latest);
	qsort(v->failed, v->n_failed, sizeof(*v->failed), cmp_failed);
	return build_groups(s, v);
}

void report_mig_view_free(struct report_mig_view *v)
{
	free(v->list);
	free(v->by_pair);
	free(v->groups);
	free(v->failed);
	memset(v, 0, sizeof(*v));
}

char *mig_ms(uint64_t ns, char buf[32])
{
	snprintf(buf, 32, "%llu.%llu", (unsigned long long)(ns / 1000000),
		 (unsigned long long)(ns / 100000 % 10));
	return buf;
}
