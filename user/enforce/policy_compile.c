// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * policy_compile.c - from rules to map entries.
 *
 * Each rule is filed under one index key: the exact key of the rule whose
 * bucket is smallest so far (ties go to the more selective kind), so a
 * check verifies only the rules that share one of its own values, however
 * many rules the file has.  A deny rule filed under a fact the kernel may
 * not know at permission time (the bytes, the device's own string, the
 * type) is also listed under that fact's "unknown" key: when the fact is
 * missing the kernel consults that list, and the rule fails closed.
 *
 * Prefixes: every distinct prefix value gets an id; its LPM entry carries
 * the ids of all prefix values it starts with (sorted order makes those a
 * stack), so one longest-prefix lookup yields every matching prefix.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_compile.h"

uint64_t mdevver_hash(const void *data, size_t len)
{
	const unsigned char *b = data;
	uint64_t h = MDEVVER_FNV_OFFSET;

	for (size_t i = 0; i < len; i++)
		h = mdevver_hash_step(h, b[i]);
	return h;
}

/* ---- buckets: (kind, value) -> rule ids, open addressing --------------- */

struct bucket {
	bool used;
	uint16_t kind;
	uint64_t value;
	uint32_t *ids;
	size_t n, cap;
};

struct buckets {
	struct bucket *slots;
	size_t cap;	/* power of two */
	size_t used;
};

static size_t bucket_slot(const struct buckets *b, uint16_t kind, uint64_t value)
{
	uint64_t h = (value ^ ((uint64_t)kind << 56)) * 0x9E3779B97F4A7C15ull;
	size_t i = h >> 20 & (b->cap - 1);

	while (b->slots[i].used &&
	       (b->slots[i].kind != kind || b->slots[i].value != value))
		i = (i + 1) & (b->cap - 1);
	return i;
}

static size_t bucket_count(const struct buckets *b, uint16_t kind, uint64_t value)
{
	const struct bucket *s = &b->slots[bucket_slot(b, kind, value)];

	return s->used ? s->n : 0;
}

static int bucket_add(struct buckets *b, uint16_t kind, uint64_t value, uint32_t id)
{
	struct bucket *s = &b->slots[bucket_slot(b, kind, value)];

	if (!s->used) {
		s->used = true;
		s->kind = kind;
		s->value = value;
		b->used++;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 4;
		uint32_t *ids = realloc(s->ids, cap * sizeof(*ids));

		if (!ids)
			return -1;
		s->ids = ids;
		s->cap = cap;
	}
	s->ids[s->n++] = id;
	return 0;
}

static void buckets_free(struct buckets *b)
{
	if (!b->slots)
		return;
	for (size_t i = 0; i < b->cap; i++)
		free(b->slots[i].ids);
	free(b->slots);
}

/* ---- prefixes --------------------------------------------------------- */

struct prefix_src {
	const unsigned char *s;
	size_t len;
	uint32_t id;
};

static int cmp_prefix(const void *a, const void *b)
{
	const struct prefix_src *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

static bool starts_with(const struct prefix_src *s, const struct prefix_src *p)
{
	return s->len >= p->len && !memcmp(s->s, p->s, p->len);
}

/* ---- compile ---------------------------------------------------------- */

__attribute__((format(printf, 4, 5)))
static int fail(char *err, size_t errsz, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* ap is started on the line above; clang-analyzer 14 reports it
	 * uninitialized here all the same (a known false positive) */
	vsnprintf(err, errsz, fmt, ap);	// NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	return ret;
}

struct candidate {
	uint16_t kind;
	uint64_t value;
};

/* The index keys a rule could be filed under, most selective first. */
static size_t rule_candidates(const struct mdevver_rule *r, struct candidate *c)
{
	size_t n = 0;

	if (r->keys & MDEVVER_RK_REMOTE)
		c[n++] = (struct candidate){ MDEVVER_IDX_REMOTE, r->remote };
	if (r->keys & MDEVVER_RK_REMOTE_PREFIX)
		c[n++] = (struct candidate){ MDEVVER_IDX_PREFIX, r->remote };
	if (r->keys & MDEVVER_RK_LOCAL)
		c[n++] = (struct candidate){ MDEVVER_IDX_LOCAL, r->local };
	if (r->keys & MDEVVER_RK_LOCAL_PREFIX)
		c[n++] = (struct candidate){ MDEVVER_IDX_LOCAL_PREFIX, r->local };
	if ((r->keys & MDEVVER_RK_COMM) && !(r->negate & MDEVVER_RK_COMM))
		c[n++] = (struct candidate){ MDEVVER_IDX_COMM,
					     mdevver_hash(r->comm, sizeof(r->comm)) };
	if ((r->keys & MDEVVER_RK_UID) && !(r->negate & MDEVVER_RK_UID))
		c[n++] = (struct candidate){ MDEVVER_IDX_UID, r->uid };
	if ((r->keys & MDEVVER_RK_CGROUP) && !(r->negate & MDEVVER_RK_CGROUP))
		c[n++] = (struct candidate){ MDEVVER_IDX_CGROUP, r->cgroup };
	if (r->keys & MDEVVER_RK_PARENT)
		c[n++] = (struct candidate){ MDEVVER_IDX_PARENT, r->parent };
	if (r->keys & MDEVVER_RK_TYPE)
		c[n++] = (struct candidate){ MDEVVER_IDX_TYPE, r->type };
	if (r->keys & MDEVVER_RK_ATTR)
		c[n++] = (struct candidate){ MDEVVER_IDX_ATTR, r->attr };
	/* last: eight values, so the least selective kind */
	if (r->keys & MDEVVER_RK_STATE)
		c[n++] = (struct candidate){ MDEVVER_IDX_STATE, r->state };
	if (!n)
		c[n++] = (struct candidate){ MDEVVER_IDX_OTHER, 0 };
	return n;
}

static uint16_t unknown_kind(uint16_t kind)
{
	switch (kind) {
	case MDEVVER_IDX_REMOTE:
	case MDEVVER_IDX_PREFIX:
		return MDEVVER_IDX_UNK_REMOTE;
	case MDEVVER_IDX_LOCAL:
	case MDEVVER_IDX_LOCAL_PREFIX:
		return MDEVVER_IDX_UNK_LOCAL;
	case MDEVVER_IDX_TYPE:
		return MDEVVER_IDX_UNK_TYPE;
	default:
		return 0;
	}
}

/* Assign prefix ids to every distinct prefix value; fill the LPM entries. */
static int compile_prefixes(const struct policy *p, unsigned int gen,
			    const char *fname, struct compiled_policy *out,
			    uint64_t *pid_of_rule_remote, uint64_t *pid_of_rule_local,
			    char *err, size_t errsz)
{
	struct prefix_src *src, *stack[MDEVVER_PREFIX_DEPTH];
	size_t n = 0, depth = 0, distinct = 0;
	int ret = -1;

	src = calloc(2 * p->n_rules + 1, sizeof(*src));
	if (!src)
		return fail(err, errsz, -1, "%s: out of memory", fname);
	for (size_t i = 0; i < p->n_rules; i++) {
		for (int k = PK_REMOTE; k <= PK_LOCAL; k++) {
			const struct policy_match *m = &p->rules[i].keys[k];

			if (!m->set || !m->prefix)
				continue;
			if (m->len > MDEVVER_PREFIX_MAX) {
				fail(err, errsz, -1,
				     "%s:%u: %s prefix of %zu bytes: prefix rules take at most %d bytes",
				     fname, p->rules[i].line, policy_key_name(k),
				     m->len, MDEVVER_PREFIX_MAX);
				goto out;
			}
			src[n].s = m->value;
			src[n].len = m->len;
			/* remember which rule/key: 2*i + (k == local) */
			src[n].id = (uint32_t)(2 * i + (k == PK_LOCAL));
			n++;
		}
	}
	qsort(src, n, sizeof(*src), cmp_prefix);
	out->prefixes = calloc(n + 1, sizeof(*out->prefixes));
	if (!out->prefixes) {
		fail(err, errsz, -1, "%s: out of memory", fname);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t owner = src[i].id;
		uint64_t pid;

		if (i && !cmp_prefix(&src[i], &src[i - 1])) {
			/* the same value again: same id, no new entry */
			pid = out->prefixes[out->n_prefixes - 1].set.id[
				out->prefixes[out->n_prefixes - 1].set.n - 1];
		} else {
			struct compiled_prefix *cp = &out->prefixes[out->n_prefixes++];

			while (depth && !starts_with(&src[i], stack[depth - 1]))
				depth--;
			if (depth == MDEVVER_PREFIX_DEPTH) {
				fail(err, errsz, -1,
				     "%s:%u: more than %d prefix values nest inside each other",
				     fname, p->rules[owner / 2].line, MDEVVER_PREFIX_DEPTH);
				goto out;
			}
			pid = ++distinct;
			/* from here on src[i].id is this value's prefix id */
			src[i].id = (uint32_t)pid;
			stack[depth++] = &src[i];
			/* every value on the stack is a prefix of this one */
			cp->set.n = (uint32_t)depth;
			for (size_t d = 0; d < depth; d++)
				cp->set.id[d] = stack[d]->id;
			cp->key.prefixlen = (uint32_t)(8 * (1 + src[i].len));
			cp->key.data[0] = (uint8_t)gen;
			memcpy(cp->key.data + 1, src[i].s, src[i].len);
		}
		if (owner % 2)
			pid_of_rule_local[owner / 2] = pid;
		else
			pid_of_rule_remote[owner / 2] = pid;
	}
	ret = 0;
out:
	free(src);
	return ret;
}

static void fill_rule(const struct policy_rule *pr, struct mdevver_rule *r,
		      uint64_t remote_pid, uint64_t local_pid)
{
	const struct policy_match *k = pr->keys;

	memset(r, 0, sizeof(*r));
	r->action = pr->action == POLICY_DENY ? MDEVVER_ACT_DENY : MDEVVER_ACT_AUDIT;
	if (k[PK_REMOTE].set) {
		r->keys |= k[PK_REMOTE].prefix ? MDEVVER_RK_REMOTE_PREFIX : MDEVVER_RK_REMOTE;
		r->remote = k[PK_REMOTE].prefix ? remote_pid
			: mdevver_hash(k[PK_REMOTE].value, k[PK_REMOTE].len);
	}
	if (k[PK_LOCAL].set) {
		r->keys |= k[PK_LOCAL].prefix ? MDEVVER_RK_LOCAL_PREFIX : MDEVVER_RK_LOCAL;
		r->local = k[PK_LOCAL].prefix ? local_pid
			: mdevver_hash(k[PK_LOCAL].value, k[PK_LOCAL].len);
	}
	if (k[PK_TYPE].set) {
		r->keys |= MDEVVER_RK_TYPE;
		r->type = mdevver_hash(k[PK_TYPE].value, k[PK_TYPE].len);
	}
	if (k[PK_PARENT].set) {
		r->keys |= MDEVVER_RK_PARENT;
		r->parent = mdevver_hash(k[PK_PARENT].value, k[PK_PARENT].len);
	}
	if (k[PK_ATTR].set) {
		r->keys |= MDEVVER_RK_ATTR;
		r->attr = mdevver_hash(k[PK_ATTR].value, k[PK_ATTR].len);
	}
	if (k[PK_OP].set) {
		r->keys |= MDEVVER_RK_OP;
		r->op = (uint8_t)k[PK_OP].num;
	}
	if (k[PK_COMM].set) {
		r->keys |= MDEVVER_RK_COMM;
		memcpy(r->comm, k[PK_COMM].value, k[PK_COMM].len);
		if (k[PK_COMM].negate)
			r->negate |= MDEVVER_RK_COMM;
	}
	if (k[PK_UID].set) {
		r->keys |= MDEVVER_RK_UID;
		r->uid = (uint32_t)k[PK_UID].num;
		if (k[PK_UID].negate)
			r->negate |= MDEVVER_RK_UID;
	}
	if (k[PK_CGROUP].set) {
		r->keys |= MDEVVER_RK_CGROUP;
		r->cgroup = k[PK_CGROUP].num;
		if (k[PK_CGROUP].negate)
			r->negate |= MDEVVER_RK_CGROUP;
	}
	if (k[PK_STATE].set) {
		r->keys |= MDEVVER_RK_STATE;
		r->state = (uint8_t)k[PK_STATE].num;
	}
}

static int emit_index(struct compiled_policy *out, const struct bucket *b,
		      unsigned int gen)
{
	size_t pages = (b->n + MDEVVER_BUCKET_MAX - 1) / MDEVVER_BUCKET_MAX;

	for (size_t pg = 0; pg < pages; pg++) {
		struct compiled_index *ci = &out->index[out->n_index++];
		size_t first = pg * MDEVVER_BUCKET_MAX;
		size_t cnt = b->n - first < MDEVVER_BUCKET_MAX ? b->n - first
							     : MDEVVER_BUCKET_MAX;

		memset(ci, 0, sizeof(*ci));
		ci->key.gen = (uint16_t)gen;
		ci->key.kind = b->kind;
		ci->key.page = (uint32_t)pg;
		ci->key.value = b->value;
		ci->list.n = (uint32_t)cnt;
		memcpy(ci->list.id, b->ids + first, cnt * sizeof(uint32_t));
	}
	return 0;
}

int policy_compile(const struct policy *p, unsigned int gen, const char *fname,
		   struct compiled_policy *out, char *err, size_t errsz)
{
	uint64_t *rpid = NULL, *lpid = NULL;
	struct buckets b = { 0 };
	size_t index_entries = 0;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (p->n_rules > MDEVVER_RULES_MAX)
		return fail(err, errsz, -1, "%s: %zu rules: at most %d are supported",
			    fname, p->n_rules, MDEVVER_RULES_MAX);
	rpid = calloc(p->n_rules + 1, sizeof(*rpid));
	lpid = calloc(p->n_rules + 1, sizeof(*lpid));
	out->rules = calloc(p->n_rules + 1, sizeof(*out->rules));
	for (b.cap = 64; b.cap < 4 * (p->n_rules + 1); b.cap *= 2)
		;
	b.slots = calloc(b.cap, sizeof(*b.slots));
	if (!rpid || !lpid || !out->rules || !b.slots) {
		fail(err, errsz, -1, "%s: out of memory", fname);
		goto out;
	}
	if (compile_prefixes(p, gen, fname, out, rpid, lpid, err, errsz))
		goto out;
	out->n_rules = p->n_rules;
	out->gen_flags = MDEVVER_GEN_LOADED | MDEVVER_GEN_NO_LOCAL |
			 MDEVVER_GEN_NO_REMOTE_PREFIX | MDEVVER_GEN_NO_TASK;
	for (size_t i = 0; i < p->n_rules; i++) {
		struct mdevver_rule *r = &out->rules[i];
		struct candidate c[12];
		size_t n, best = 0;
		uint16_t unk;

		fill_rule(&p->rules[i], r, rpid[i], lpid[i]);
		if ((r->keys & MDEVVER_RK_OP) && r->op == MDEVVER_OP_READ)
			out->gen_flags |= MDEVVER_GEN_READ_RULES;
		if ((r->keys & MDEVVER_RK_OP) && r->op == MDEVVER_OP_MIGRATE)
			out->gen_flags |= MDEVVER_GEN_MIGRATE_RULES;
		if (r->keys & (MDEVVER_RK_REMOTE | MDEVVER_RK_REMOTE_PREFIX))
			out->gen_flags |= MDEVVER_GEN_CONTENT;
		if (r->keys & (MDEVVER_RK_LOCAL | MDEVVER_RK_LOCAL_PREFIX))
			out->gen_flags &= ~(__u64)MDEVVER_GEN_NO_LOCAL;
		if (r->keys & MDEVVER_RK_REMOTE_PREFIX)
			out->gen_flags &= ~(__u64)MDEVVER_GEN_NO_REMOTE_PREFIX;
		if (r->keys & (MDEVVER_RK_COMM | MDEVVER_RK_UID | MDEVVER_RK_CGROUP))
			out->gen_flags &= ~(__u64)MDEVVER_GEN_NO_TASK;
		n = rule_candidates(r, c);
		for (size_t k = 1; k < n; k++)
			if (bucket_count(&b, c[k].kind, c[k].value) <
			    bucket_count(&b, c[best].kind, c[best].value))
				best = k;
		out->gen_flags |= 1ull << (MDEVVER_GEN_KIND_SHIFT + c[best].kind);
		if (bucket_add(&b, c[best].kind, c[best].value, (uint32_t)i)) {
			fail(err, errsz, -1, "%s: out of memory", fname);
			goto out;
		}
		unk = unknown_kind(c[best].kind);
		if (unk && r->action == MDEVVER_ACT_DENY)
			out->gen_flags |= 1ull << (MDEVVER_GEN_KIND_SHIFT + unk);
		if (unk && r->action == MDEVVER_ACT_DENY &&
		    bucket_add(&b, unk, 0, (uint32_t)i)) {
			fail(err, errsz, -1, "%s: out of memory", fname);
			goto out;
		}
	}
	for (size_t i = 0; i < b.cap; i++) {
		if (!b.slots[i].used)
			continue;
		if (b.slots[i].n > MDEVVER_BUCKET_PAGES * MDEVVER_BUCKET_MAX) {
			fail(err, errsz, -1, "%s: more than %d rules share one key",
			     fname, MDEVVER_BUCKET_PAGES * MDEVVER_BUCKET_MAX);
			goto out;
		}
		index_entries += (b.slots[i].n + MDEVVER_BUCKET_MAX - 1) / MDEVVER_BUCKET_MAX;
		if (b.slots[i].n > out->largest_bucket &&
		    b.slots[i].kind < MDEVVER_IDX_UNK_REMOTE)
			out->largest_bucket = b.slots[i].n;
	}
	if (index_entries > MDEVVER_INDEX_MAX / 2) {
		fail(err, errsz, -1, "%s: the policy needs %zu index entries, at most %d fit",
		     fname, index_entries, MDEVVER_INDEX_MAX / 2);
		goto out;
	}
	out->index = calloc(index_entries + 1, sizeof(*out->index));
	if (!out->index) {
		fail(err, errsz, -1, "%s: out of memory", fname);
		goto out;
	}
	for (size_t i = 0; i < b.cap; i++)
		if (b.slots[i].used)
			emit_index(out, &b.slots[i], gen);
	ret = 0;
out:
	buckets_free(&b);
	free(rpid);
	free(lpid);
	if (ret)
		compiled_policy_free(out);
	return ret;
}

void compiled_policy_free(struct compiled_policy *c)
{
	free(c->rules);
	free(c->index);
	free(c->prefixes);
	memset(c, 0, sizeof(*c));
}
