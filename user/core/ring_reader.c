// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ring_reader.c - BPF ring buffer consumer with one mapping of the data
 * (why: ring_reader.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "ring_reader.h"

struct ring_reader {
	struct ring_view v;
	ring_sample_fn cb;
	void *ctx;
	int fd;
	void *cons_map;		/* consumer page, RW */
	void *prod_map;		/* producer page + data, RO */
	size_t prod_len;
};

/* Header length plus record, 8-byte aligned; the flag bits cleared. */
static uint64_t record_span(uint32_t hdr_len)
{
	uint64_t len = hdr_len & ~(uint32_t)(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);

	return (len + BPF_RINGBUF_HDR_SZ + 7) & ~(uint64_t)7;
}

int64_t ring_view_consume(struct ring_view *v, ring_sample_fn cb, void *ctx)
{
	const unsigned long mask = v->size - 1;
	unsigned long cons = __atomic_load_n(v->consumer_pos, __ATOMIC_RELAXED);
	int64_t n = 0;
	bool got;

	/* a record committed while we handed out the others is taken in the
	 * same call, as libbpf does (it loops until a pass finds nothing) */
	do {
		unsigned long prod = __atomic_load_n(v->producer_pos, __ATOMIC_ACQUIRE);

		got = false;
		while (cons < prod) {
			size_t off = cons & mask;
			/* headers are 8-byte aligned in a ring whose size is a
			 * multiple of the page: a header never wraps */
			uint32_t hdr = __atomic_load_n((const uint32_t *)(v->data + off),
						       __ATOMIC_ACQUIRE);
			uint32_t len = hdr & ~(uint32_t)(BPF_RINGBUF_BUSY_BIT |
							 BPF_RINGBUF_DISCARD_BIT);
			uint64_t span;

			if (hdr & BPF_RINGBUF_BUSY_BIT)
				return n;	/* not committed yet: next round */
			span = record_span(hdr);
			if (span > v->size || span > prod - cons)
				return -EBADMSG;	/* no producer writes this */
			got = true;
			if (!(hdr & BPF_RINGBUF_DISCARD_BIT)) {
				size_t start = (off + BPF_RINGBUF_HDR_SZ) & mask;
				void *rec = (void *)(v->data + start);
				int err;

				if (start + len > v->size) {
					/* wraps: first part to the end, rest from 0 */
					size_t first = v->size - start;

					if (len > v->wrap_cap) {
						uint8_t *w = realloc(v->wrap, len);

						if (!w)
							return -ENOMEM;
						v->wrap = w;
						v->wrap_cap = len;
					}
					memcpy(v->wrap, v->data + start, first);
					memcpy(v->wrap + first, v->data, len - first);
					rec = v->wrap;
				}
				cons += span;
				err = cb(ctx, rec, len);
				if (err < 0) {
					__atomic_store_n(v->consumer_pos, cons, __ATOMIC_RELEASE);
					return err;
				}
				n++;
			} else {
				cons += span;
			}
			__atomic_store_n(v->consumer_pos, cons, __ATOMIC_RELEASE);
		}
	} while (got);
	return n;
}

struct ring_reader *ring_reader_open(int map_fd, ring_sample_fn cb, void *ctx)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct bpf_map_info info;
	__u32 info_len = sizeof(info);
	struct ring_reader *r;
	int err;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(map_fd, &info, &info_len))
		return NULL;	/* errno set */
	if (info.type != BPF_MAP_TYPE_RINGBUF || !info.max_entries ||
	    (info.max_entries & (info.max_entries - 1))) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->cb = cb;
	r->ctx = ctx;
	r->fd = map_fd;
	r->cons_map = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (r->cons_map == MAP_FAILED) {
		err = errno;
		free(r);
		errno = err;
		return NULL;
	}
	/* the producer page and the data once: a prefix of the kernel's
	 * doubled area (libbpf maps page + 2 * max_entries) */
	r->prod_len = page + info.max_entries;
	r->prod_map = mmap(NULL, r->prod_len, PROT_READ, MAP_SHARED, map_fd, (off_t)page);
	if (r->prod_map == MAP_FAILED) {
		err = errno;
		munmap(r->cons_map, page);
		free(r);
		errno = err;
		return NULL;
	}
	r->v.consumer_pos = r->cons_map;
	r->v.producer_pos = r->prod_map;
	r->v.data = (const uint8_t *)r->prod_map + page;
	r->v.size = info.max_entries;
	return r;
}

int64_t ring_reader_consume(struct ring_reader *r)
{
	return ring_view_consume(&r->v, r->cb, r->ctx);
}

int ring_reader_fd(const struct ring_reader *r)
{
	return r->fd;
}

void ring_reader_free(struct ring_reader *r)
{
	if (!r)
		return;
	munmap(r->cons_map, (size_t)sysconf(_SC_PAGESIZE));
	munmap(r->prod_map, r->prod_len);
	free(r->v.wrap);
	free(r);
}
