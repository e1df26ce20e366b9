/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * strbuf.h - a growable byte buffer for the record formatters.
 *
 * Why not a FILE* (open_memstream): every stdio call takes the stream lock
 * and goes through the vtable; formatting a record is ~60 small appends, so
 * that overhead was a large part of the per-record cost.  Appends here are
 * a bounds check and a memcpy.  Allocation failure is sticky (oom): the
 * buffer stops growing and the caller sees it once, at the end.
 */
#ifndef MDEVVER_STRBUF_H
#define MDEVVER_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct strbuf {
	char *p;
	size_t len, cap;
	bool oom;		/* an append did not fit and could not grow */
};

/* Room for n more bytes; false (and oom set) when it cannot grow. */
static inline bool sb_reserve(struct strbuf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->cap - b->len >= n)
		return true;
	if (b->oom)
		return false;
	cap = b->cap ? b->cap : 1024;
	while (cap - b->len < n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static inline void sb_put(struct strbuf *b, const void *s, size_t n)
{
	if (n && sb_reserve(b, n)) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	}
}

static inline void sb_putc(struct strbuf *b, char c)
{
	if (sb_reserve(b, 1))
		b->p[b->len++] = c;
}

/* A C string (fixed keys and names: the caller knows it needs no escape). */
static inline void sb_puts(struct strbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/* Decimal without printf: vfprintf was most of the formatting time. */
static inline void sb_u64(struct strbuf *b, uint64_t v)
{
	char buf[24], *q = buf + sizeof(buf);

	do {
		*--q = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sb_put(b, q, (size_t)(buf + sizeof(buf) - q));
}

static inline void sb_i64(struct strbuf *b, int64_t v)
{
	if (v < 0) {
		sb_putc(b, '-');
		sb_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		sb_u64(b, (uint64_t)v);
	}
}

/* v right-aligned in width digits, zero-padded (times). */
static inline void sb_u64_pad(struct strbuf *b, uint64_t v, unsigned int width)
{
	char buf[24];
	unsigned int i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i > 0);
	while (sizeof(buf) - i < width && i > 0)
		buf[--i] = '0';
	sb_put(b, buf + i, sizeof(buf) - i);
}

/* s padded with spaces to at least width bytes (text columns, "%-*s"). */
static inline void sb_pad(struct strbuf *b, const char *s, size_t n, size_t width)
{
	sb_put(b, s, n);
	while (n++ < width)
		sb_putc(b, ' ');
}

static inline void sb_reset(struct strbuf *b)
{
	b->len = 0;
}

static inline void sb_free(struct strbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}

#endif
