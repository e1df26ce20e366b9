// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * runs.c - templates of runs and the slot flush (see runs.h and the
 * protocol comment in include/mdevver_trace.h).
 *
 * Each slot keeps its latest two templates: the BPF side may reserve a new
 * run's template before the repeat record that closes the slot's previous
 * run, so a repeat record may name the run before the current one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runs.h"

#define N_SLOTS (MDEVVER_CLASSES * MDEVVER_REPEAT_SLOTS)

struct template {
	uint32_t gen;		/* 0: none */
	size_t len;
	size_t cap;
	struct mdevver_event *ev;	/* len bytes of the ring record */
};

struct slot_templates {
	struct template t[2];	/* the latest two, any order */
};

struct runs {
	struct mdevver_repeat_slot *slots;	/* mmapped, shared with BPF */
	size_t map_len;
	struct slot_templates tmpl[N_SLOTS];
	uint64_t orphaned[MDEVVER_CLASSES];
};

struct runs *runs_open(int map_fd)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = sizeof(struct mdevver_repeat_slot) * N_SLOTS;
	struct runs *rs;
	void *p;

	len = (len + page - 1) / page * page;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	rs = calloc(1, sizeof(*rs));
	if (!rs) {
		munmap(p, len);
		errno = ENOMEM;
		return NULL;
	}
	rs->slots = p;
	rs->map_len = len;
	return rs;
}

void runs_close(struct runs *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < N_SLOTS; i++)
		for (int k = 0; k < 2; k++)
			free(rs->tmpl[i].t[k].ev);
	munmap(rs->slots, rs->map_len);
	free(rs);
}

int runs_class_of_op(unsigned int op)
{
	switch (op) {
	case MDEVVER_OP_CHECK:
		return MDEVVER_CLASS_CHECK;
	case MDEVVER_OP_READ:
		return MDEVVER_CLASS_READ;
	default:
		return -1;
	}
}

static size_t slot_index(int cls, uint32_t slot)
{
	return (size_t)cls * MDEVVER_REPEAT_SLOTS + slot;
}

static struct template *find(struct runs *rs, int cls, uint32_t slot, uint32_t gen)
{
	struct slot_templates *st = &rs->tmpl[slot_index(cls, slot)];

	if (!gen)
		return NULL;
	for (int k = 0; k < 2; k++)
		if (st->t[k].gen == gen && st->t[k].ev)
			return &st->t[k];
	return NULL;
}

void runs_note_event(struct runs *rs, const struct mdevver_event *e, size_t len)
{
	struct slot_templates *st;
	struct template *t;
	int cls = runs_class_of_op(e->op);

	if (!e->run_gen || cls < 0 || e->run_slot >= MDEVVER_REPEAT_SLOTS)
		return;
	st = &rs->tmpl[slot_index(cls, e->run_slot)];
	/* replace the older of the two (generations only grow; 0 = empty) */
	t = st->t[0].gen <= st->t[1].gen ? &st->t[0] : &st->t[1];
	if (st->t[0].gen == e->run_gen)
		t = &st->t[0];
	else if (st->t[1].gen == e->run_gen)
		t = &st->t[1];
	if (t->cap < len) {
		void *p = realloc(t->ev, len);

		if (!p) {		/* its repeats will count as lost */
			t->gen = 0;
			return;
		}
		t->ev = p;
		t->cap = len;
	}
	memcpy(t->ev, e, len);
	t->len = len;
	t->gen = e->run_gen;
}

void runs_repeat(struct runs *rs, const struct mdevver_repeat *rep,
		 runs_emit_fn emit, void *ctx)
{
	int cls = runs_class_of_op(rep->op);
	struct template *t;

	if (cls < 0 || !rep->count)
		return;
	t = rep->slot < MDEVVER_REPEAT_SLOTS ? find(rs, cls, rep->slot, rep->gen) : NULL;
	if (!t) {
		rs->orphaned[cls] += rep->count;
		return;
	}
	emit(ctx, cls, t->ev, t->len, rep->count, rep->ts_ns);
}

void runs_flush(struct runs *rs, bool final, runs_emit_fn emit, void *ctx)
{
	for (int cls = 0; cls < MDEVVER_CLASSES; cls++) {
		for (uint32_t s = 0; s < MDEVVER_REPEAT_SLOTS; s++) {
			struct mdevver_repeat_slot *slot = &rs->slots[slot_index(cls, s)];
			__u64 w = __atomic_load_n(&slot->word, __ATOMIC_ACQUIRE);
			struct template *t;
			__u32 gen, n;

			for (;;) {
				n = MDEVVER_RUN_PENDING(w);
				gen = MDEVVER_RUN_GEN(w);
				if (!n)
					break;
				t = find(rs, cls, s, gen);
				if (!t && !final)
					break;	/* template still in the ring */
				/* take exactly these n out; on failure w is
				 * the word's new value: look again */
				if (__atomic_compare_exchange_n(&slot->word, &w,
								MDEVVER_RUN_WORD(gen, 0), false,
								__ATOMIC_ACQ_REL,
								__ATOMIC_ACQUIRE))
					break;
			}
			if (!n || (!t && !final))
				continue;
			if (!t) {
				rs->orphaned[cls] += n;
				continue;
			}
			emit(ctx, cls, t->ev, t->len, n,
			     __atomic_load_n(&slot->last_ts, __ATOMIC_ACQUIRE));
		}
	}
}

uint64_t runs_orphaned(const struct runs *rs, int cls)
{
	return rs->orphaned[cls];
}
