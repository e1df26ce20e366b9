// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * btf_scan.c - "is there a FUNC named f" from the raw BTF the kernel
 * publishes, without libbpf's parser.
 *
 * Why: start-up asks this for the vendor probes and lifecycle hooks before
 * libbpf loads.  btf__parse() of vmlinux's BTF (megabytes) checks and
 * indexes every type, and a module's split BTF needs that parsed base: on a
 * one-CPU guest under qemu -icount this was about a third of the time from
 * exec to attached, paid again by libbpf for the load (docs/delivery.md,
 * "Where the cost goes").  Walking the type section once, comparing names
 * only for FUNC records, gives the same answer for a fraction of the work.
 * Anything unexpected (another byte order, an unknown kind, a bad offset)
 * answers "unknown" and the caller falls back to libbpf.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/btf.h>

#include "btf_scan.h"

void btf_raw_free(struct btf_raw *r)
{
	free(r->data);
	r->data = NULL;
	r->size = 0;
}

int btf_raw_read(const char *path, struct btf_raw *r)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = NULL;
	int fd;

	r->data = NULL;
	r->size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* sysfs reports the size of a BTF file; grow if it lies */
	{
		struct stat st;

		if (!fstat(fd, &st) && st.st_size > 0)
			cap = (size_t)st.st_size + 1;
	}
	buf = malloc(cap);
	if (!buf)
		goto fail;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len < sizeof(struct btf_header)) {
		free(buf);
		return -1;
	}
	r->data = buf;
	r->size = len;
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}

/* The header, checked: native byte order, sections inside the data. */
static const struct btf_header *header_of(const struct btf_raw *r)
{
	const struct btf_header *h = (const void *)r->data;

	if (!r->data || r->size < sizeof(*h) || h->magic != BTF_MAGIC ||
	    h->hdr_len < sizeof(*h) || h->hdr_len > r->size)
		return NULL;
	if ((uint64_t)h->hdr_len + h->type_off + h->type_len > r->size ||
	    (uint64_t)h->hdr_len + h->str_off + h->str_len > r->size)
		return NULL;
	return h;
}

/* Bytes after struct btf_type for this kind, or -1 for a kind not known. */
static long extra_size(const struct btf_type *t)
{
	uint32_t vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
		return 4;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case 18:	/* BTF_KIND_TYPE_TAG */
		return 0;
	case BTF_KIND_ARRAY:
		return 12;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return 12L * vlen;
	case BTF_KIND_ENUM:
		return 8L * vlen;
	case BTF_KIND_FUNC_PROTO:
		return 8L * vlen;
	case BTF_KIND_VAR:
		return 4;
	case BTF_KIND_DATASEC:
		return 12L * vlen;
	case 17:	/* BTF_KIND_DECL_TAG */
		return 4;
	case 19:	/* BTF_KIND_ENUM64 */
		return 12L * vlen;
	default:
		return -1;
	}
}

/*
 * One walk of r's type section: ids[i] is the type id of the first FUNC
 * named funcs[i] (0: none), numbered from base_count + 1 for split BTF and
 * from 1 otherwise; *count the records walked.  0, or -1 not understood.
 */
int btf_raw_func_ids(const struct btf_raw *r, const struct btf_raw *base,
		     uint32_t base_count, const char *const *funcs, size_t n,
		     uint32_t *ids, uint32_t *count)
{
	const struct btf_header *h = header_of(r);
	const struct btf_header *bh = base ? header_of(base) : NULL;
	uint32_t base_str_len = bh ? bh->str_len : 0;
	uint32_t first = (base ? base_count : 0) + 1;	/* 0 is void */
	size_t left = n;
	const char *types;
	uint32_t off = 0, k = 0;

	if (!h || (base && !bh))
		return -1;
	for (size_t i = 0; i < n; i++)
		ids[i] = 0;
	types = r->data + h->hdr_len + h->type_off;
	while (off < h->type_len) {
		const struct btf_type *t;
		long extra;

		if (h->type_len - off < sizeof(*t))
			return -1;
		t = (const void *)(types + off);
		extra = extra_size(t);
		if (extra < 0)
			return -1;
		if (left && BTF_INFO_KIND(t->info) == BTF_KIND_FUNC) {
			const char *nm = NULL;
			uint32_t avail = 0, so = t->name_off;

			/* split BTF: a name offset below the base's string
			 * section names one of the base's strings */
			if (so < base_str_len) {
				nm = base->data + bh->hdr_len + bh->str_off + so;
				avail = bh->str_len - so;
			} else if ((so -= base_str_len) < h->str_len) {
				nm = r->data + h->hdr_len + h->str_off + so;
				avail = h->str_len - so;
			}
			for (size_t i = 0; nm && i < n; i++) {
				size_t want;

				if (ids[i] || nm[0] != funcs[i][0])
					continue;
				want = strlen(funcs[i]) + 1;
				if (avail >= want && !memcmp(nm, funcs[i], want)) {
					ids[i] = first + k;
					left--;
				}
			}
		}
		off += sizeof(*t) + (uint32_t)extra;
		k++;
	}
	*count = k;
	return off == h->type_len ? 0 : -1;
}

int btf_raw_has_func(const struct btf_raw *r, const struct btf_raw *base,
		     const char *func)
{
	uint32_t id, count;

	/* the base count only numbers the answer: not needed here */
	if (btf_raw_func_ids(r, base, 0, &func, 1, &id, &count))
		return -1;
	return id != 0;
}

long btf_raw_type_count(const struct btf_raw *r)
{
	uint32_t count;

	return btf_raw_func_ids(r, NULL, 0, NULL, 0, NULL, &count) ? -1 : (long)count;
}

int btf_raw_func_id(const struct btf_raw *r, const struct btf_raw *base,
		    uint32_t base_count, const char *func, uint32_t *id)
{
	uint32_t count;

	if (btf_raw_func_ids(r, base, base_count, &func, 1, id, &count))
		return -1;
	return *id != 0;
}

int btf_raw_index(const struct btf_raw *r, uint32_t **offs, uint32_t *count)
{
	const struct btf_header *h = header_of(r);
	uint32_t off = 0, k = 0, cap = 1024, *o;

	*offs = NULL;
	*count = 0;
	if (!h)
		return -1;
	o = malloc(cap * sizeof(*o));
	if (!o)
		return -1;
	while (off < h->type_len) {
		const struct btf_type *t;
		long extra;

		if (h->type_len - off < sizeof(*t))
			break;
		t = (const void *)(r->data + h->hdr_len + h->type_off + off);
		extra = extra_size(t);
		if (extra < 0)
			break;
		if (k == cap) {
			uint32_t *no = realloc(o, 2 * cap * sizeof(*o));

			if (!no)
				break;
			o = no;
			cap *= 2;
		}
		o[k++] = h->hdr_len + h->type_off + off;
		off += sizeof(*t) + (uint32_t)extra;
	}
	if (off != h->type_len) {
		free(o);
		return -1;
	}
	*offs = o;
	*count = k;
	return 0;
}

const char *btf_raw_str(const struct btf_raw *r, uint32_t off)
{
	const struct btf_header *h = header_of(r);

	if (!h || off >= h->str_len)
		return NULL;
	/* the section ends in a NUL (btf_raw_read keeps what the kernel wrote) */
	if (r->data[h->hdr_len + h->str_off + h->str_len - 1] != '\0')
		return NULL;
	return r->data + h->hdr_len + h->str_off + off;
}

long btf_raw_extra_size(const void *type)
{
	return extra_size(type);
}
