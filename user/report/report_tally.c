// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report_tally.c - an ordered counter of byte-string tuples on glibc's
 * balanced tree (tsearch): O(log n) per count, in order without a sort,
 * and memory proportional to the distinct tuples, not to the log's lines.
 */
#define _GNU_SOURCE	/* twalk_r (glibc >= 2.30) */
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_tally.h"
#include "sat.h"

struct tally {
	void *root;
	unsigned int nparts;
	size_t n;
	/* tally_sorted's array, rebuilt only after a new tuple was added */
	const struct tally_entry **sorted;
	int sorted_valid;
};

int bstr_cmp(struct bstr a, struct bstr b)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int c = n ? memcmp(a.p, b.p, n) : 0;

	if (c)
		return c;
	return a.len < b.len ? -1 : a.len > b.len;
}

/* Unused parts are all {NULL, 0}: equal, so comparing every part is right. */
static int entry_cmp(const void *a, const void *b)
{
	const struct tally_entry *x = a, *y = b;

	for (int i = 0; i < TALLY_MAX_PARTS; i++) {
		int c = bstr_cmp(x->part[i], y->part[i]);

		if (c)
			return c;
	}
	return 0;
}

struct tally *tally_new(unsigned int nparts)
{
	struct tally *t;

	if (nparts < 1 || nparts > TALLY_MAX_PARTS)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t)
		t->nparts = nparts;
	return t;
}

void tally_free(struct tally *t)
{
	if (!t)
		return;
	tdestroy(t->root, free);
	free(t->sorted);
	free(t);
}

int tally_add(struct tally *t, const struct bstr *parts, uint64_t n)
{
	return tally_add_at(t, parts, n, NULL);
}

static void keep_latest(struct tally_entry *e, const char *time)
{
	if (time && strcmp(time, e->latest) > 0)
		snprintf(e->latest, sizeof(e->latest), "%s", time);
}

int tally_add_at(struct tally *t, const struct bstr *parts, uint64_t n,
		 const char *time)
{
	struct tally_entry probe = { 0 }, *e, **found;
	size_t bytes = 0;
	char *p;

	for (unsigned int i = 0; i < t->nparts; i++)
		probe.part[i] = parts[i];
	found = tfind(&probe, &t->root, entry_cmp);
	if (found) {
		sat_inc_u64(&(*found)->count, n);
		keep_latest(*found, time);
		return 0;
	}
	/* one allocation: the entry, then its parts' bytes */
	for (unsigned int i = 0; i < t->nparts; i++)
		bytes += parts[i].len;
	e = malloc(sizeof(*e) + bytes);
	if (!e)
		return -1;
	memset(e, 0, sizeof(*e));
	p = (char *)(e + 1);
	for (unsigned int i = 0; i < t->nparts; i++) {
		if (parts[i].len)
			memcpy(p, parts[i].p, parts[i].len);
		e->part[i].p = p;
		e->part[i].len = parts[i].len;
		p += parts[i].len;
	}
	e->count = n;
	keep_latest(e, time);
	if (!tsearch(e, &t->root, entry_cmp)) {
		free(e);
		return -1;
	}
	t->n++;
	t->sorted_valid = 0;
	return 0;
}

size_t tally_size(const struct tally *t)
{
	return t->n;
}

struct collect {
	const struct tally_entry **out;
	size_t n;
};

static void collect_node(const void *node, VISIT v, void *arg)
{
	struct collect *c = arg;

	/* in order: an inner node between its subtrees, or a leaf */
	if (v == postorder || v == leaf)
		c->out[c->n++] = *(const struct tally_entry *const *)node;
}

const struct tally_entry *const *tally_sorted(struct tally *t, size_t *n)
{
	struct collect c;

	*n = 0;
	if (!t->n)
		return NULL;
	if (!t->sorted_valid) {
		const struct tally_entry **a = realloc(t->sorted, t->n * sizeof(*a));

		if (!a) {
			*n = (size_t)-1;
			return NULL;
		}
		t->sorted = a;
		c.out = a;
		c.n = 0;
		twalk_r(t->root, collect_node, &c);
		t->sorted_valid = 1;
	}
	*n = t->n;
	return t->sorted;
}

size_t tally_run_end(const struct tally_entry *const *e, size_t n, size_t i,
		     unsigned int k)
{
	size_t j = i + 1;

	for (; j < n; j++) {
		unsigned int p = 0;

		while (p < k && bstr_eq(e[i]->part[p], e[j]->part[p]))
			p++;
		if (p < k)
			break;
	}
	return j;
}
