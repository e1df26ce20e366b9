// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report_identity.c - duplicates and gaps by record identity
 * (report_identity.h).  Records of one run usually come together (one log
 * after another), so the run of the previous record is tried first; the
 * (run, seq) pairs seen are one open-addressing hash set, so a duplicate
 * costs one lookup however many records the logs hold.
 */
#define _GNU_SOURCE	/* open_memstream, asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_identity.h"

struct rid_slot {
	uint64_t seq;		/* 0: empty (seq starts at 1) */
	size_t run;
};

static uint64_t mix(uint64_t x)
{
	/* splitmix64's finalizer: seqs are consecutive, spread them */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static struct rid_slot *slot_of(struct rid_slot *set, size_t cap, size_t run, uint64_t seq)
{
	size_t i = (size_t)mix(seq ^ mix(run + 1)) & (cap - 1);

	while (set[i].seq && (set[i].seq != seq || set[i].run != run))
		i = (i + 1) & (cap - 1);
	return &set[i];
}

/* Room for one more (run, seq): load stays below one half. */
static int set_reserve(struct report_ids *ids)
{
	struct rid_slot *set;
	size_t cap;

	if ((ids->set_n + 1) * 2 <= ids->set_cap)
		return 0;
	cap = ids->set_cap ? ids->set_cap * 2 : 1024;
	set = calloc(cap, sizeof(*set));
	if (!set)
		return -1;
	for (size_t i = 0; i < ids->set_cap; i++)
		if (ids->set[i].seq)
			*slot_of(set, cap, ids->set[i].run, ids->set[i].seq) = ids->set[i];
	free(ids->set);
	ids->set = set;
	ids->set_cap = cap;
	return 0;
}

static bool same_run(const struct rid_run *r, const uint8_t h[16], const uint8_t b[16],
		     const uint8_t run[16])
{
	return !memcmp(r->run_id, run, 16) && !memcmp(r->boot_id, b, 16) &&
	       !memcmp(r->host_id, h, 16);
}

/* The run's index, added when new; (size_t)-1 when out of memory. */
static size_t run_of(struct report_ids *ids, const uint8_t h[16], const uint8_t b[16],
		     const uint8_t run[16], struct bstr host)
{
	struct rid_run *r;

	if (ids->last < ids->n_runs && same_run(&ids->runs[ids->last], h, b, run))
		return ids->last;
	for (size_t i = 0; i < ids->n_runs; i++)
		if (same_run(&ids->runs[i], h, b, run))
			return ids->last = i;
	if (ids->n_runs == ids->cap_runs) {
		size_t cap = ids->cap_runs ? ids->cap_runs * 2 : 16;

		r = realloc(ids->runs, cap * sizeof(*r));
		if (!r)
			return (size_t)-1;
		ids->runs = r;
		ids->cap_runs = cap;
	}
	r = &ids->runs[ids->n_runs];
	memset(r, 0, sizeof(*r));
	memcpy(r->host_id, h, 16);
	memcpy(r->boot_id, b, 16);
	memcpy(r->run_id, run, 16);
	r->host = malloc(host.len + 1);
	if (!r->host)
		return (size_t)-1;
	memcpy(r->host, host.p, host.len);
	r->host[host.len] = '\0';
	r->host_len = host.len;
	return ids->last = ids->n_runs++;
}

int report_ids_add(struct report_ids *ids, bool has_id, const uint8_t host_id[16],
		   const uint8_t boot_id[16], const uint8_t run_id[16], uint64_t seq,
		   bool is_end, struct bstr host, bool count_unidentified)
{
	struct rid_slot *s;
	struct rid_run *r;
	size_t run;

	if (!has_id || !seq) {
		if (count_unidentified)
			ids->unidentified++;
		return 0;
	}
	run = run_of(ids, host_id, boot_id, run_id, host);
	if (run == (size_t)-1 || set_reserve(ids))
		return -1;
	r = &ids->runs[run];
	s = slot_of(ids->set, ids->set_cap, run, seq);
	if (s->seq) {
		r->duplicates++;
		ids->duplicates++;
		return 1;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		uint64_t *v = realloc(r->seqs, cap * sizeof(*v));

		if (!v)
			return -1;
		r->seqs = v;
		r->cap = cap;
	}
	s->seq = seq;
	s->run = run;
	ids->set_n++;
	r->seqs[r->n++] = seq;
	if (seq > r->max_seq)
		r->max_seq = seq;
	if (is_end)
		r->end_seq = seq;
	ids->identified++;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_run(const void *a, const void *b)
{
	const struct rid_run *x = a, *y = b;
	size_t n = x->host_len < y->host_len ? x->host_len : y->host_len;
	int c = memcmp(x->host, y->host, n);

	if (c)
		return c;
	if (x->host_len != y->host_len)
		return x->host_len < y->host_len ? -1 : 1;
	if ((c = memcmp(x->host_id, y->host_id, 16)))
		return c;
	if ((c = memcmp(x->boot_id, y->boot_id, 16)))
		return c;
	return memcmp(x->run_id, y->run_id, 16);
}

int report_ids_finish(struct report_ids *ids)
{
	/* the set is keyed by run index: no longer needed once sorted */
	free(ids->set);
	ids->set = NULL;
	ids->set_cap = ids->set_n = 0;
	ids->missing = 0;
	ids->runs_with_gaps = 0;
	for (size_t i = 0; i < ids->n_runs; i++) {
		struct rid_run *r = &ids->runs[i];
		/* every seq from 1 to the end record's (or, without one, the
		 * highest seen: a lost tail cannot be told then) belongs to the
		 * run; the end record is the run's last, so max_seq is its seq
		 * when it was seen.  The seqs are distinct. */
		uint64_t want = r->max_seq;

		qsort(r->seqs, r->n, sizeof(*r->seqs), cmp_u64);
		r->missing = want - r->n;
		ids->missing += r->missing;
		ids->runs_with_gaps += r->missing > 0;
	}
	if (ids->n_runs)
		qsort(ids->runs, ids->n_runs, sizeof(*ids->runs), cmp_run);
	ids->last = 0;
	return 0;
}

size_t report_ids_gaps(const struct rid_run *run, size_t max,
		       void (*fn)(uint64_t first, uint64_t last, void *ctx), void *ctx)
{
	uint64_t next = 1;	/* the lowest seq not yet accounted for */
	size_t n = 0;

	for (size_t i = 0; i < run->n; i++) {
		if (run->seqs[i] > next) {
			if (n < max)
				fn(next, run->seqs[i] - 1, ctx);
			n++;
		}
		next = run->seqs[i] + 1;
	}
	return n;
}

char *report_ids_summary(const struct report_ids *ids)
{
	char *s = NULL, *u = NULL;
	int n;

	if (!ids->identified) {
		n = asprintf(&s, "none (logs from before identity): duplicates and gaps unknown");
		return n < 0 ? NULL : s;
	}
	if (ids->unidentified &&
	    asprintf(&u, ", %llu unidentified", (unsigned long long)ids->unidentified) < 0)
		return NULL;
	n = asprintf(&s, "%llu records in %zu run%s, %llu duplicate%s dropped, %llu missing%s",
		     (unsigned long long)ids->identified, ids->n_runs, ids->n_runs == 1 ? "" : "s",
		     (unsigned long long)ids->duplicates, ids->duplicates == 1 ? "" : "s",
		     (unsigned long long)ids->missing, u ? u : "");
	free(u);
	return n < 0 ? NULL : s;
}

struct gap_text {
	FILE *f;
	size_t n;
};

static void gap_text(uint64_t first, uint64_t last, void *ctx)
{
	struct gap_text *g = ctx;

	fprintf(g->f, "%s%llu", g->n++ ? ", " : "", (unsigned long long)first);
	if (last > first)
		fprintf(g->f, "-%llu", (unsigned long long)last);
}

char *report_ids_gap_list(const struct rid_run *run, size_t max)
{
	struct gap_text g = { NULL, 0 };
	char *s = NULL;
	size_t len, n;

	g.f = open_memstream(&s, &len);
	if (!g.f)
		return NULL;
	n = report_ids_gaps(run, max, gap_text, &g);
	if (n > max)
		fprintf(g.f, " and %zu more range%s", n - max, n - max == 1 ? "" : "s");
	if (fclose(g.f)) {
		free(s);
		return NULL;
	}
	return s;
}

size_t report_ids_host_end(const struct report_ids *ids, size_t from)
{
	const struct rid_run *a = &ids->runs[from];
	size_t i = from + 1;

	while (i < ids->n_runs && ids->runs[i].host_len == a->host_len &&
	       !memcmp(ids->runs[i].host, a->host, a->host_len) &&
	       !memcmp(ids->runs[i].host_id, a->host_id, 16))
		i++;
	return i;
}

void report_ids_short(const uint8_t id[16], char out[9])
{
	for (int i = 0; i < 4; i++)
		snprintf(out + 2 * i, 3, "%02x", id[i]);
}

void report_ids_free(struct report_ids *ids)
{
	for (size_t i = 0; i < ids->n_runs; i++) {
		free(ids->runs[i].host);
		free(ids->runs[i].seqs);
	}
	free(ids->runs);
	free(ids->set);
	memset(ids, 0, sizeof(*ids));
}

void report_ids_host_sum(const struct report_ids *ids, size_t from, size_t end,
			 uint64_t *records, uint64_t *dups, uint64_t *missing)
{
	*records = *dups = *missing = 0;
	for (size_t r = from; r < end; r++) {
		*records += ids->runs[r].n;
		*dups += ids->runs[r].duplicates;
		*missing += ids->runs[r].missing;
	}
}
