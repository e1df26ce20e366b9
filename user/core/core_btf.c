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
 * Anything unexpected while building, and the memfd gets vmlinux's BTF
 * whole: the target libbpf would have used itself.  Not used at all where
 * a relocation may need a module's types (vfio, mdev loaded: the lifecycle
 * and ioctl programs), because libbpf searches no module BTF when it is
 * given the target.
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

static bool set_has(const struct name_set *set, const char *name)
{
	size_t len = essential_len(name);
	uint32_t b = name_hash(name, len) & (NAME_BUCKETS - 1);

	while (set->name[b]) {
		if (set->len[b] == len && !memcmp(set->name[b], name, len))
			return true;
		b = (b + 1) & (NAME_BUCKETS - 1);
	}
	return false;
}

/* a growing byte buffer */
struct out {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void *out_reserve(struct out *o, size_t n)
{
	void *p;

	if (o->failed)
		return NULL;
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 64 * 1024;
		char *nb;

		while (cap < o->len + n)
			cap *= 2;
		nb = realloc(o->buf, cap);
		if (!nb) {
			o->failed = true;
			return NULL;
		}
		o->buf = nb;
		o->cap = cap;
	}
	p = o->buf + o->len;
	o->len += n;
	return p;
}

/* The types vmlinux's type id refers to, for the closure; -1: a kind that
 * cannot be reached from a type worth keeping (then the build gives up). */
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

/* a name of vmlinux's string section into the new one: its offset */
static uint32_t str_copy(struct out *strs, const struct btf_raw *v, uint32_t off)
{
	const char *s;
	size_t len;
	char *p;

	if (!off)
		return 0;
	s = btf_raw_str(v, off);
	if (!s) {
		strs->failed = true;
		return 0;
	}
	len = strlen(s) + 1;
	p = out_reserve(strs, len);
	if (!p)
		return 0;
	memcpy(p, s, len);
	return (uint32_t)(strs->len - len);
}

/* One record, renumbered, into types. */
static void emit(struct out *types, struct out *strs, const struct btf_raw *v,
		 const struct btf_type *t, const uint32_t *map)
{
	long extra = btf_raw_extra_size(t);
	uint32_t vlen = BTF_INFO_VLEN(t->info);
	struct btf_type *n;

	n = out_reserve(types, sizeof(*t) + (size_t)extra);
	if (!n)
		return;
	memcpy(n, t, sizeof(*t) + (size_t)extra);
	n->name_off = str_copy(strs, v, t->name_off);
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_PTR:
		n->type = 0;
		break;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		n->type = map[t->type];
		break;
	case BTF_KIND_ARRAY: {
		struct btf_array *a = (void *)(n + 1);

		a->type = map[a->type];
		a->index_type = map[a->index_type];
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		struct btf_member *m = (void *)(n + 1);

		for (uint32_t i = 0; i < vlen; i++) {
			m[i].name_off = str_copy(strs, v, m[i].name_off);
			m[i].type = map[m[i].type];
		}
		break;
	}
	case BTF_KIND_ENUM: {
		struct btf_enum *e = (void *)(n + 1);

		for (uint32_t i = 0; i < vlen; i++)
			e[i].name_off = str_copy(strs, v, e[i].name_off);
		break;
	}
	case BTF_KIND_ENUM64: {
		struct btf_enum64 *e = (void *)(n + 1);

		for (uint32_t i = 0; i < vlen; i++)
			e[i].name_off = str_copy(strs, v, e[i].name_off);
		break;
	}
	case BTF_KIND_FUNC_PROTO: {
		struct btf_param *p = (void *)(n + 1);

		n->type = map[t->type];
		for (uint32_t i = 0; i < vlen; i++) {
			p[i].name_off = str_copy(strs, v, p[i].name_off);
			p[i].type = map[p[i].type];
		}
		break;
	}
	default:
		break;
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

void *core_btf_build(const struct btf_raw *v, const char *const *names,
		     size_t n_names, size_t *size, uint32_t *types_out)
{
	struct out types = { 0 }, strs = { 0 };
	uint32_t *offs = NULL, *map = NULL, *order = NULL, count, next = 0;
	struct name_set *set = NULL;
	struct btf_header *h;
	void *result = NULL;
	uint32_t refs[1024];

	if (n_names > NAMES_MAX || btf_raw_index(v, &offs, &count))
		return NULL;
	set = calloc(1, sizeof(*set));
	map = calloc((size_t)count + 1, sizeof(*map));
	order = malloc(((size_t)count + 1) * sizeof(*order));
	if (!set || !map || !order)
		goto out;
	for (size_t i = 0; i < n_names; i++)
		set_add(set, names[i]);
	/* the roots, in one walk */
	for (uint32_t id = 1; id <= count; id++) {
		const struct btf_type *t = (const void *)(v->data + offs[id - 1]);
		const char *nm;

		if (!named_root(t))
			continue;
		nm = btf_raw_str(v, t->name_off);
		if (!nm)
			goto out;
		if (set_has(set, nm)) {
			map[id] = ++next;
			order[next] = id;
		}
	}
	/* what they embed; order[] doubles as the queue */
	for (uint32_t q = 1; q <= next; q++) {
		const struct btf_type *t = (const void *)(v->data + offs[order[q] - 1]);
		int n = refs_of(t, refs, sizeof(refs) / sizeof(refs[0]));

		if (n < 0)
			goto out;
		for (int i = 0; i < n; i++) {
			if (refs[i] > count)
				goto out;
			if (refs[i] && !map[refs[i]]) {
				map[refs[i]] = ++next;
				order[next] = refs[i];
			}
		}
	}
	/* header, records, strings (offset 0: the empty name) */
	if (!out_reserve(&types, sizeof(*h)) || !out_reserve(&strs, 1))
		goto out;
	strs.buf[0] = '\0';
	for (uint32_t q = 1; q <= next; q++)
		emit(&types, &strs, v, (const void *)(v->data + offs[order[q] - 1]), map);
	if (types.failed || strs.failed || !out_reserve(&types, strs.len))
		goto out;
	memcpy(types.buf + types.len - strs.len, strs.buf, strs.len);
	h = (void *)types.buf;
	memset(h, 0, sizeof(*h));
	h->magic = BTF_MAGIC;
	h->version = BTF_VERSION;
	h->hdr_len = sizeof(*h);
	h->type_off = 0;
	h->type_len = (uint32_t)(types.len - sizeof(*h) - strs.len);
	h->str_off = h->type_len;
	h->str_len = (uint32_t)strs.len;
	*size = types.len;
	*types_out = next;
	result = types.buf;
	types.buf = NULL;
out:
	free(types.buf);
	free(strs.buf);
	free(set);
	free(map);
	free(order);
	free(offs);
	return result;
}

int core_btf_open(struct core_btf *cb)
{
	cb->fd = -1;
	cb->types = 0;
	if (!access("/sys/module/vfio", F_OK) || !access("/sys/module/mdev", F_OK) ||
	    !kf_vmlinux_btf_raw())
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
	if (local && n < NAMES_MAX)
		small = core_btf_build(v, names, n, &size, &types);
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
