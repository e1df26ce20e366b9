/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ring_reader.h - the consumer of a BPF ring buffer map (BPF_MAP_TYPE_RINGBUF)
 * that maps the ring's data once.
 *
 * libbpf's ring_buffer maps the data area twice in a row, so that a record
 * wrapping past the end reads contiguously.  The kernel installs every page
 * of the mapping at mmap() time (remap_vmalloc_range), so each mapping counts
 * fully in the process's RSS: with the default rings (8 MiB checks, 2 MiB
 * reads) the second copy alone is 10 MiB.  Here the consumer page is mapped
 * read-write and the producer page plus the data area once, read-only (the
 * kernel lets a read-only mapping take any prefix of its doubled area); the
 * rare record that wraps is copied into a buffer before the callback.
 *
 * Protocol as in libbpf's ringbuf.c (and the kernel's ringbuf.c): the
 * producer position is load-acquired; each record starts with an 8-byte
 * header whose 32-bit length is load-acquired and carries BPF_RINGBUF_BUSY_BIT
 * (reserved, not yet committed: consumption stops there) and
 * BPF_RINGBUF_DISCARD_BIT (skipped, never handed out); a record takes its
 * length plus the header rounded up to 8 bytes; the consumer position is
 * store-released after each record.
 */
#ifndef MDEVVER_RING_READER_H
#define MDEVVER_RING_READER_H

#include <stddef.h>
#include <stdint.h>

/* Called for each committed record; data is valid only during the call.
 * A negative return stops consumption after this record (which counts as
 * consumed) and is returned by ring_view_consume (libbpf's ring_buffer_sample_fn
 * contract). */
typedef int (*ring_sample_fn)(void *ctx, void *data, size_t len);

/* One ring as memory: what the mappings (or a unit test) provide. */
struct ring_view {
	unsigned long *consumer_pos;		/* written by us only */
	const unsigned long *producer_pos;	/* written by the kernel */
	const uint8_t *data;			/* size bytes, mapped once */
	size_t size;				/* a power of two */
	uint8_t *wrap;				/* a wrapping record is copied here */
	size_t wrap_cap;
};

/* Hand every committed record between the consumer and the producer
 * position to cb, advancing the consumer position past each one.
 * Returns the number of records handed out (discarded ones not counted),
 * cb's negative return, or -ENOMEM when a wrapping record cannot be copied
 * (the record stays unconsumed) or -EBADMSG for a length the ring cannot
 * hold (consumption stops). */
int64_t ring_view_consume(struct ring_view *v, ring_sample_fn cb, void *ctx);

struct ring_reader;

/* Maps the ring of map_fd.  NULL with errno set on failure. */
struct ring_reader *ring_reader_open(int map_fd, ring_sample_fn cb, void *ctx);
/* ring_view_consume on this ring. */
int64_t ring_reader_consume(struct ring_reader *r);
/* The fd to poll for EPOLLIN (the kernel reports it while records wait). */
int ring_reader_fd(const struct ring_reader *r);
void ring_reader_free(struct ring_reader *r);

#endif
