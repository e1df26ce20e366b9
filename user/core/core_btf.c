// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * core_btf.c - the target BTF libbpf relocates our CO-RE reads against:
 * only the part of vmlinux's BTF a relocation can reach.
 *
 * Why: libbpf 1.1 finds the candidates of each CO-RE relocation's local
 * type by walking every type of the target BTF (bpf_core_add_cands), once
 * per local type: ~17 walks of vmlinux's ~130k types in a fentry tracer,
 * ~57 M instructions, 0.11 s of a 0.81 s start on 6.1 under qemu -icount
 * (callgrind in the guest; docs/delivery.md "Where the cost goes").
 * libbpf takes the target from a file instead when btf_custom_path is set;
 * here that file is a memfd holding:
 * - every vmlinux struct, union, enum or typedef whose name is the
 *   essential name (a "___flavour" cut) of one of the object's named types
 *   -- a superset of the relocations' local types, found in one walk;
 * - what those types embed: members, array elements and indexes, the
 *   targets of typedefs and modifiers, function prototypes' types;
 * - not what they point to: a pointer field is compatible with any pointer
 *   (libbpf's bpf_core_fields_are_compat), and every dereference in
 *   BPF_CORE_READ() is a relocation of its own, against the pointed-to
 *   type by its own name.  Pointers are written as pointers to void.
 * Records are copied as the kernel wrote them, with type ids renumbered and
 * names moved to a new string section, so offsets, sizes, bitfields, enum
 * values and member order are the kernel's own.
 *
 * A name vmlinux lacks is looked for in every loaded module's BTF, as
 * libbpf does (module candidates only when vmlinux has none): libbpf
 * searches no module when it is given the target, and the lifecycle and
 * ioctl programs read vfio's and mdev's types.
 *
 * Anything unexpected while building, and the memfd gets vmlinux's BTF
 * whole: what libbpf would have used for vmlinux's types (a program that
 * reads a module's type then fails to load, and the attach ladder retries
 * without the optional programs, saying why).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "btf_scan.h"
#include "core_btf.h"
#include "kernel_features.h"
#include "strbuf.h"

#define NAMES_MAX 512
#define NAME_BUCKETS 1024	/* power of two, > 2 * NAMES_MAX */

/* the essential name's length: up to a "___" flavour suffix */
static size_t essential_len(const char *name)
{
	const char *f = strstr(name, "___");

	return f && f != name ? (size_t)(f - name) : strlen(name);
}

static uint32_t name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

struct name_set {
	const char *name[NAME_BUCKETS];
	size_t len[NAME_BUCKETS];
	bool found[NAME_BUCKETS];	/* in vmlinux */
};

static void set_add(struct name_set *set, const char *name)
{
	size_t len = essential_len(name);
	uint32_t b = name_hash(name, len) & (NAME_BUCKETS - 1);

	while (set->name[b]) {
		if (set->len[b] == len && !memcmp(set->name[b], name, len))
			return;
		b = (b + 1) & (NAME_BUCKETS - 1);
	}
	set->name[b] = name;
	set->len[b] = len;
}

/* the bucket of name, or -1 */
static int set_find(const struct name_set *set, const char *name)
{
	size_t len = essential_len(name);
	uint32_t b = name_hash(name, len) & (NAME_BUCKETS - 1);

	while (set->name[b]) {
		if (set->len[b] == len && !memcmp(set->name[b], name, len))
			return (int)b;
		b = (b + 1) & (NAME_BUCKETS - 1);
	}
	return -1;
}

static bool set_has(const struct name_set *set, const char *name)
{
	return set_find(set, name) >= 0;
}

/* Mark name found in vmlinux (when it is in the set). */
static void set_mark(struct name_set *set, const char *name)
{
	int b = set_find(set, name);

	if (b >= 0)
		set->found[b] = true;
}

/* Was name found in vmlinux? */
static bool set_found(const struct name_set *set, const char *name)
{
	int b = set_find(set, name);

	return b >= 0 && set->found[b];
}

static size_t set_unfound(const struct name_set *set)
{
	size_t n = 0;

	for (size_t b = 0; b < NAME_BUCKETS; b++)
		n += set->name[b] && !set->found[b];
	return n;
}

/* n more bytes at the end of b (strbuf.h; its oom is sticky), or NULL */
static void *sb_grow(struct strbuf *b, size_t n)
{
	void *p;

	if (!sb_reserve(b, n))
		return NULL;
	p = b->p + b->len;
	b->len += n;
	return p;
}

/* The types a record refers to, for the closure; -1: a kind that cannot
 * be reached from a type worth keeping (then the build gives up). */
static int refs_of(const struct btf_type *t, uint32_t *refs, size_t max)
{
	const struct btf_array *a;
	const struct btf_member *m;
	const struct btf_param *p;
	uint32_t vlen = BTF_INFO_VLEN(t->info);
	size_t n = 0;

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FLOAT:
	case BTF_KIND_FWD:
	case BTF_KIND_PTR:	/* written as a pointer to void */
		return 0;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		refs[0] = t->type;
		return 1;
	case BTF_KIND_ARRAY:
		a = (const void *)(t + 1);
		refs[0] = a->type;
		refs[1] = a->index_type;
		return 2;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		m = (const void *)(t + 1);
		for (uint32_t i = 0; i < vlen && n < max; i++)
			refs[n++] = m[i].type;
		return n == vlen ? (int)n : -1;
	case BTF_KIND_FUNC_PROTO:
		p = (const void *)(t + 1);
		refs[n++] = t->type;
		for (uint32_t i = 0; i < vlen && n < max; i++)
			refs[n++] = p[i].type;
		return n == vlen + 1 ? (int)n : -1;
	default:
		return -1;
	}
}

static bool named_root(const struct btf_type *t)
{
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_TYPEDEF:
		return t->name_off != 0;
	default:
		return false;
	}
}

/*
 * Where the types come from: vmlinux (source 0, ids 1..vcount) and each
 * loaded module's split BTF (ids vcount + 1..., names below vmlinux's
 * string section length are vmlinux's strings).  Every type of every
 * source has a slot: vmlinux's id itself, then each module's in turn.
 */
#define SOURCES_MAX 64

struct source {
	const struct btf_raw *raw;
	uint32_t *offs, count, first_slot;
};

struct build {
	struct source src[SOURCES_MAX];
	size_t n_src;
	uint32_t vcount, vstr_len, slots, next;
	uint32_t *map;			/* slot -> new id (0: not kept) */
	uint32_t *order;		/* new id -> slot */
	struct strbuf types, strs;
};

/* the slot of id as a type of source s refers to it */
static uint32_t slot_of(const struct build *b, size_t s, uint32_t id)
{
	if (!id || id <= b->vcount)
		return id;
	if (s == 0 || id - b->vcount > b->src[s].count)
		return UINT32_MAX;
	return b->src[s].first_slot + (id - b->vcount - 1);
}

/* the record of a slot and its source */
static const struct btf_type *type_of(const struct build *b, uint32_t slot, size_t *s)
{
	for (size_t i = 0; i < b->n_src; i++) {
		const struct source *src = &b->src[i];

		if (slot >= src->first_slot && slot < src->first_slot + src->count) {
			*s = i;
			return (const void *)(src->raw->data +
					      src->offs[slot - src->first_slot]);
		}
	}
	return NULL;
}

static const char *str_of(const struct build *b, size_t s, uint32_t off)
{
	if (s == 0 || off < b->vstr_len)
		return btf_raw_str(b->src[0].raw, off);
	return btf_raw_str(b->src[s].raw, off - b->vstr_len);
}

/* a name into the new string section: its offset there */
static uint32_t str_copy(struct build *b, size_t s, uint32_t off)
{
	const char *str;
	size_t len;
	char *p;

	if (!off)
		return 0;
	str = str_of(b, s, off);
	if (!str) {
		b->strs.oom = true;
		return 0;
	}
	len = strlen(str) + 1;
	p = sb_grow(&b->strs, len);
	if (!p)
		return 0;
	memcpy(p, str, len);
	return (uint32_t)(b->strs.len - len);
}

/* the new id of what a type of source s refers to as id */
static uint32_t new_id(const struct build *b, size_t s, uint32_t id)
{
	uint32_t slot = slot_of(b, s, id);

	return slot < b->slots + 1 ? b->map[slot] : 0;
}

/* Keep slot (its new id is the next one). */
static void keep(struct build *b, uint32_t slot)
{
	if (b->map[slot])
		return;
	b->map[slot] = ++b->next;
	b->order[b->next] = slot;
}

/* One record, renumbered, into the new type section. */
static void emit(struct build *b, size_t s, const struct btf_type *t)
{
	long extra = btf_raw_extra_size(t);
	uint32_t vlen = BTF_INFO_VLEN(t->info);
	struct btf_type *n;

	n = sb_grow(&b->types, sizeof(*t) + (size_t)extra);
	if (!n)
		return;
	memcpy(n, t, sizeof(*t) + (size_t)extra);
	n->name_off = str_copy(b, s, t->name_off);
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_PTR:
		n->type = 0;
		break;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		n->type = new_id(b, s, t->type);
		break;
	case BTF_KIND_ARRAY: {
		struct btf_array *a = (void *)(n + 1);

		a->type = new_id(b, s, a->type);
		a->index_type = new_id(b, s, a->index_type);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		struct btf_member *m = (void *)(n + 1);

		for (uint32_t i = 0; i < vlen; i++) {
			m[i].name_off = str_copy(b, s, m[i].name_off);
			m[i].type = new_id(b, s, m[i].type);
		}
		break;
	}
	case BTF_KIND_ENUM: {
		struct btf_enum *e = (void *)(n + 1);

		for (uint32_t i = 0; i < vlen; i++)
			e[i].name_off = str_copy(b, s, e[i].name_off);
		break;
	}
	case BTF_KIND_ENUM64: {
		struct btf_enum64 *e = (void *)(n + 1);

		for (uint32_t i = 0; i < vlen; i++)
			e[i].name_off = str_copy(b, s, e[i].name_off);
		break;
	}
	case BTF_KIND_FUNC_PROTO: {
		struct btf_param *p = (void *)(n + 1);

		n->type = new_id(b, s, t->type);
		for (uint32_t i = 0; i < vlen; i++) {
			p[i].name_off = str_copy(b, s, p[i].name_off);
			p[i].type = new_id(b, s, p[i].type);
		}
		break;
	}
	default:
		break;
	}
}

/* The loaded modules' BTF (raws), as sources after vmlinux. */
static void add_modules(struct build *b, const struct btf_raw *const *raws, size_t n)
{
	for (size_t i = 0; i < n && b->n_src < SOURCES_MAX; i++) {
		struct source *m = &b->src[b->n_src];

		if (btf_raw_index(raws[i], &m->offs, &m->count))
			continue;
		m->raw = raws[i];
		m->first_slot = b->slots + 1;
		b->slots += m->count;
		b->n_src++;
	}
}

static void build_free(struct build *b)
{
	for (size_t i = 0; i < b->n_src; i++)
		free(b->src[i].offs);
	free(b->map);
	free(b->order);
	free(b->types.p);
	free(b->strs.p);
	free(b);
}

void *core_btf_build(const struct btf_raw *v, const struct btf_raw *const *modules,
		     size_t n_modules, const char *const *names, size_t n_names,
		     size_t *size, uint32_t *types_out)
{
	const struct btf_header *vh = (const void *)v->data;
	struct name_set *set = NULL;
	struct build *b = calloc(1, sizeof(*b));
	struct btf_header *h;
	void *result = NULL;
	uint32_t refs[1024];
	size_t unfound = 0;

	if (!b || n_names > NAMES_MAX || !v->data || v->size < sizeof(*vh))
		goto out;
	b->src[0].raw = v;
	if (btf_raw_index(v, &b->src[0].offs, &b->src[0].count))
		goto out;
	b->n_src = 1;
	b->src[0].first_slot = 1;
	b->vcount = b->slots = b->src[0].count;
	b->vstr_len = vh->str_len;
	set = calloc(1, sizeof(*set));
	if (!set)
		goto out;
	for (size_t i = 0; i < n_names; i++)
		set_add(set, names[i]);
	/* the roots in vmlinux, in one walk */
	for (uint32_t id = 1; id <= b->vcount; id++) {
		const struct btf_type *t = (const void *)(v->data + b->src[0].offs[id - 1]);
		const char *nm;

		if (!named_root(t))
			continue;
		nm = btf_raw_str(v, t->name_off);
		if (!nm)
			goto out;
		set_mark(set, nm);
	}
	/* a name vmlinux lacks is looked for in the modules (libbpf's
	 * order: module candidates only when vmlinux has none) */
	unfound = set_unfound(set);
	if (unfound)
		add_modules(b, modules, n_modules);
	b->map = calloc((size_t)b->slots + 1, sizeof(*b->map));
	b->order = calloc((size_t)b->slots + 1, sizeof(*b->order));
	if (!b->map || !b->order)
		goto out;
	for (size_t s = 0; s < b->n_src; s++) {
		const struct source *src = &b->src[s];

		for (uint32_t i = 0; i < src->count; i++) {
			const struct btf_type *t = (const void *)(src->raw->data + src->offs[i]);
			const char *nm;

			if (!named_root(t))
				continue;
			nm = str_of(b, s, t->name_off);
			if (!nm)
				goto out;
			if (set_has(set, nm) && set_found(set, nm) == (s == 0))
				keep(b, src->first_slot + i);
		}
	}
	/* what they embed; order[] doubles as the queue */
	for (uint32_t q = 1; q <= b->next; q++) {
		size_t s = 0;
		const struct btf_type *t = type_of(b, b->order[q], &s);
		int n = t ? refs_of(t, refs, sizeof(refs) / sizeof(refs[0])) : -1;

		if (n < 0)
			goto out;
		for (int i = 0; i < n; i++) {
			uint32_t slot = slot_of(b, s, refs[i]);

			if (slot > b->slots)
				goto out;
			if (slot)
				keep(b, slot);
		}
	}
	/* header, records, strings (offset 0: the empty name) */
	if (!sb_grow(&b->types, sizeof(*h)))
		goto out;
	sb_putc(&b->strs, '\0');
	for (uint32_t q = 1; q <= b->next; q++) {
		size_t s = 0;
		const struct btf_type *t = type_of(b, b->order[q], &s);

		emit(b, s, t);
	}
	sb_put(&b->types, b->strs.p, b->strs.len);
	if (b->types.oom || b->strs.oom)
		goto out;
	h = (void *)b->types.p;
	memset(h, 0, sizeof(*h));
	h->magic = BTF_MAGIC;
	h->version = BTF_VERSION;
	h->hdr_len = sizeof(*h);
	h->type_off = 0;
	h->type_len = (uint32_t)(b->types.len - sizeof(*h) - b->strs.len);
	h->str_off = h->type_len;
	h->str_len = (uint32_t)b->strs.len;
	*size = b->types.len;
	*types_out = b->next;
	result = b->types.p;
	b->types.p = NULL;
out:
	free(set);
	if (b)
		build_free(b);
	return result;
}

int core_btf_open(struct core_btf *cb)
{
	cb->fd = -1;
	cb->types = 0;
	if (!kf_vmlinux_btf_raw())
		return -1;
	cb->fd = memfd_create("mdevver-core-btf", MFD_CLOEXEC);
	if (cb->fd < 0)
		return -1;
	snprintf(cb->path, sizeof(cb->path), "/proc/self/fd/%d", cb->fd);
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int core_btf_fill(struct core_btf *cb, const struct btf *local)
{
	const struct btf_raw *v = kf_vmlinux_btf_raw();
	const char *names[NAMES_MAX];
	size_t n = 0, size = 0;
	uint32_t types = 0;
	void *small = NULL;
	int err;

	if (cb->fd < 0)
		return 0;
	if (!v)
		return -ENOENT;
	for (uint32_t id = 1; local && id < btf__type_cnt(local) && n < NAMES_MAX; id++) {
		const struct btf_type *t = btf__type_by_id(local, id);

		if (named_root(t))
			names[n++] = btf__name_by_offset(local, t->name_off);
	}
	if (local && n < NAMES_MAX) {
		const struct btf_raw *mods[SOURCES_MAX - 1];

		small = core_btf_build(v, mods, kf_module_btf_raws(mods, SOURCES_MAX - 1),
				       names, n, &size, &types);
	}
	if (small) {
		err = write_all(cb->fd, small, size);
		free(small);
		cb->types = types;
	} else {
		/* vmlinux's whole: what libbpf would have used */
		err = write_all(cb->fd, v->data, v->size);
	}
	return err;
}

void core_btf_close(struct core_btf *cb)
{
	if (cb->fd >= 0)
		close(cb->fd);
	cb->fd = -1;
}
