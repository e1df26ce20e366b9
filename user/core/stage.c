// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* stage.c - see stage.h. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mdevver_trace.h"
#include "mdevver_vfio.h"
#include "stage.h"

struct staged {
	uint64_t ts;
	size_t off, len;
};

struct stage {
	char *buf;
	size_t used, cap;
	struct staged *recs;
	size_t n, max;
};

struct stage *stage_new(void)
{
	return calloc(1, sizeof(struct stage));
}

void stage_free(struct stage *st)
{
	if (!st)
		return;
	free(st->buf);
	free(st->recs);
	free(st);
}

/* What of a ring record is worth keeping, and its time. */
static size_t record_extent(const void *rec, size_t len, uint64_t *ts)
{
	uint32_t kind;

	*ts = 0;
	if (len < sizeof(kind))
		return len;
	memcpy(&kind, rec, sizeof(kind));
	if (kind == MDEVVER_REC_EVENT && len >= MDEVVER_EVENT_MIN_LEN) {
		const struct mdevver_event *e = rec;
		size_t need = MDEVVER_EVENT_MIN_LEN +
			      (e->data_len < MDEVVER_DATA_MAX ? e->data_len : MDEVVER_DATA_MAX);

		if (e->flags & MDEVVER_F_LOCAL)
			need = (e->flags & MDEVVER_F_LOCAL_PACKED ? need
					: __builtin_offsetof(struct mdevver_event, local)) +
			       (e->local_len < MDEVVER_LOCAL_MAX ? e->local_len
								  : MDEVVER_LOCAL_MAX);
		*ts = e->ts_ns;
		return need < len ? need : len;
	}
	if (kind == MDEVVER_REC_REPEAT && len >= sizeof(struct mdevver_repeat)) {
		const struct mdevver_repeat *r = rec;

		*ts = r->ts_ns;
		return sizeof(*r);
	}
	if (kind == MDEVVER_REC_VFIO && len >= sizeof(struct mdevver_vfio_event)) {
		const struct mdevver_vfio_event *v = rec;

		*ts = v->ts_ns;
		return sizeof(*v);
	}
	return len;	/* malformed: kept whole, the consumer says so */
}

int stage_add(struct stage *st, const void *rec, size_t len)
{
	uint64_t ts;
	size_t n = record_extent(rec, len, &ts), room = (n + 7) & ~(size_t)7;

	if (st->n == st->max) {
		size_t max = st->max ? st->max * 2 : 256;
		struct staged *p = realloc(st->recs, max * sizeof(*p));

		if (!p)
			return -1;
		st->recs = p;
		st->max = max;
	}
	if (st->cap - st->used < room) {
		size_t cap = st->cap ? st->cap : 64 * 1024;
		char *p;

		while (cap - st->used < room)
			cap *= 2;
		p = realloc(st->buf, cap);
		if (!p)
			return -1;
		st->buf = p;
		st->cap = cap;
	}
	/* records start 8-aligned: consumers read them as structs */
	memcpy(st->buf + st->used, rec, n);
	st->recs[st->n++] = (struct staged){ .ts = ts, .off = st->used, .len = n };
	st->used += room;
	return 0;
}

void stage_merge(struct stage *a, struct stage *b, stage_fn fn, void *ctx)
{
	size_t i = 0, j = 0;

	while (i < a->n || j < b->n) {
		bool take_a = j == b->n || (i < a->n && a->recs[i].ts <= b->recs[j].ts);
		struct stage *st = take_a ? a : b;
		const struct staged *r = &st->recs[take_a ? i++ : j++];

		fn(ctx, st->buf + r->off, r->len);
	}
	a->n = a->used = 0;
	b->n = b->used = 0;
}
