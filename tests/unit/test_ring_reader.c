/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * test_ring_reader.c - the ring consumer's logic (ring_view_consume) against
 * a synthetic ring in plain memory, written the way the kernel's
 * bpf_ringbuf_reserve/submit/discard write it: header length with the busy
 * bit at reserve, the bit cleared at commit, the discard bit at discard,
 * the producer position advanced by the 8-byte-rounded span at reserve.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/bpf.h>

#include "ring_reader.h"
#include "unit.h"

#define RING 4096

struct fake_ring {
	unsigned long cons, prod;
	_Alignas(8) uint8_t data[RING];
	struct ring_view v;
};

static void fake_init(struct fake_ring *f, unsigned long start)
{
	memset(f, 0, sizeof(*f));
	f->cons = f->prod = start;
	f->v.consumer_pos = &f->cons;
	f->v.producer_pos = &f->prod;
	f->v.data = f->data;
	f->v.size = RING;
}

static unsigned long span_of(uint32_t len)
{
	return (len + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
}

/* Reserve len bytes filled with the pattern seed+i (wrapping in the ring);
 * returns the record's header offset.  Busy until fake_commit. */
static unsigned long fake_reserve(struct fake_ring *f, uint32_t len, uint8_t seed)
{
	unsigned long at = f->prod;
	uint32_t hdr = len | BPF_RINGBUF_BUSY_BIT;

	memcpy(f->data + (at & (RING - 1)), &hdr, sizeof(hdr));
	for (uint32_t i = 0; i < len; i++)
		f->data[(at + BPF_RINGBUF_HDR_SZ + i) & (RING - 1)] = (uint8_t)(seed + i);
	f->prod += span_of(len);
	return at;
}

static void fake_set_hdr(struct fake_ring *f, unsigned long at, uint32_t hdr)
{
	memcpy(f->data + (at & (RING - 1)), &hdr, sizeof(hdr));
}

static void fake_commit(struct fake_ring *f, unsigned long at, uint32_t len)
{
	fake_set_hdr(f, at, len);
}

static void fake_discard(struct fake_ring *f, unsigned long at, uint32_t len)
{
	fake_set_hdr(f, at, len | BPF_RINGBUF_DISCARD_BIT);
}

/* What the callback saw. */
struct seen {
	int n;
	size_t len[16];
	uint8_t first[16], last[16];
	int pattern_ok[16];
	int stop_after;		/* return -EAGAIN on this call (1-based), 0: never */
};

static int on_rec(void *ctx, void *data, size_t len)
{
	struct seen *s = ctx;
	const uint8_t *p = data;
	int ok = 1;

	if (s->n < 16) {
		s->len[s->n] = len;
		s->first[s->n] = len ? p[0] : 0;
		s->last[s->n] = len ? p[len - 1] : 0;
		for (size_t i = 1; i < len; i++)
			ok = ok && p[i] == (uint8_t)(p[0] + i);
		s->pattern_ok[s->n] = ok;
	}
	s->n++;
	return s->stop_after && s->n == s->stop_after ? -EAGAIN : 0;
}

static void test_empty(void)
{
	static struct fake_ring f;
	struct seen s = { 0 };

	fake_init(&f, 0);
	ASSERT_EQ((int64_t)0, ring_view_consume(&f.v, on_rec, &s), "nothing handed out");
	ASSERT_EQ(0, s.n, "no callback");
	ASSERT_EQ(0UL, f.cons, "consumer stays");
}

static void test_records_in_order(void)
{
	static struct fake_ring f;
	struct seen s = { 0 };
	unsigned long a, b;

	fake_init(&f, 0);
	a = fake_reserve(&f, 13, 1);
	b = fake_reserve(&f, 64, 50);
	fake_commit(&f, a, 13);
	fake_commit(&f, b, 64);
	ASSERT_EQ((int64_t)2, ring_view_consume(&f.v, on_rec, &s), "two records");
	ASSERT_EQ((size_t)13, s.len[0], "first length");
	ASSERT_EQ(1, (int)s.first[0], "first bytes");
	ASSERT_EQ((size_t)64, s.len[1], "second length");
	ASSERT_EQ(50, (int)s.first[1], "second bytes");
	/* 13 + 8 rounds to 24, 64 + 8 is 72 */
	ASSERT_EQ(24UL + 72UL, f.cons, "consumer advanced by the rounded spans");
	ASSERT_EQ(f.prod, f.cons, "caught up with the producer");
}

/* A record whose bytes run past the end of the data area reaches the
 * callback whole and in order (copied), and the position wraps too. */
static void test_wrap(void)
{
	static struct fake_ring f;
	struct seen s = { 0 };
	unsigned long start = 3 * RING + RING - 32, a, b;

	fake_init(&f, start);
	a = fake_reserve(&f, 100, 7);	/* 24 bytes before the end, 76 after */
	b = fake_reserve(&f, 8, 200);
	fake_commit(&f, a, 100);
	fake_commit(&f, b, 8);
	ASSERT_EQ((int64_t)2, ring_view_consume(&f.v, on_rec, &s), "two records");
	ASSERT_EQ((size_t)100, s.len[0], "wrapped record's length");
	ASSERT_EQ(7, (int)s.first[0], "its first byte");
	ASSERT_EQ((uint8_t)(7 + 99), s.last[0], "its last byte (from the start of the ring)");
	ASSERT_TRUE(s.pattern_ok[0], "every byte in order across the end");
	ASSERT_TRUE(s.pattern_ok[1], "the record after it");
	ASSERT_EQ(start + 112 + 16, f.cons, "consumer past both (positions do not wrap)");
}

/* The header itself at the very end, the data from offset 0. */
static void test_wrap_header_last(void)
{
	static struct fake_ring f;
	struct seen s = { 0 };
	unsigned long a;

	fake_init(&f, RING - 8);
	a = fake_reserve(&f, 40, 9);
	fake_commit(&f, a, 40);
	ASSERT_EQ((int64_t)1, ring_view_consume(&f.v, on_rec, &s), "one record");
	ASSERT_EQ((size_t)40, s.len[0], "length");
	ASSERT_EQ(9, (int)s.first[0], "starts at offset 0");
	ASSERT_TRUE(s.pattern_ok[0], "bytes");
	ASSERT_EQ((unsigned long)RING - 8 + 48, f.cons, "consumer");
}

/* A reserved, uncommitted record stops consumption: the ones before it are
 * consumed, it and the committed ones after it wait for the next call. */
static void test_busy_stops(void)
{
	static struct fake_ring f;
	struct seen s = { 0 };
	unsigned long a, b, c;

	fake_init(&f, 0);
	a = fake_reserve(&f, 16, 1);
	b = fake_reserve(&f, 16, 2);
	c = fake_reserve(&f, 16, 3);
	fake_commit(&f, a, 16);
	fake_commit(&f, c, 16);
	ASSERT_EQ((int64_t)1, ring_view_consume(&f.v, on_rec, &s), "only the first");
	ASSERT_EQ(24UL, f.cons, "consumer stops at the busy record");
	ASSERT_EQ((int64_t)0, ring_view_consume(&f.v, on_rec, &s), "still busy: nothing");
	ASSERT_EQ(24UL, f.cons, "consumer unmoved");
	fake_commit(&f, b, 16);
	ASSERT_EQ((int64_t)2, ring_view_consume(&f.v, on_rec, &s), "the rest once committed");
	ASSERT_EQ(2, (int)s.first[1], "in order: b");
	ASSERT_EQ(3, (int)s.first[2], "then c");
	ASSERT_EQ(72UL, f.cons, "consumer at the producer");
}

static void test_discard_skipped(void)
{
	static struct fake_ring f;
	struct seen s = { 0 };
	unsigned long a, b, c;

	fake_init(&f, 0);
	a = fake_reserve(&f, 20, 1);
	b = fake_reserve(&f, 30, 2);
	c = fake_reserve(&f, 5, 3);
	fake_commit(&f, a, 20);
	fake_discard(&f, b, 30);
	fake_commit(&f, c, 5);
	ASSERT_EQ((int64_t)2, ring_view_consume(&f.v, on_rec, &s), "discarded not counted");
	ASSERT_EQ(2, s.n, "nor handed out");
	ASSERT_EQ(1, (int)s.first[0], "a");
	ASSERT_EQ(3, (int)s.first[1], "c");
	ASSERT_EQ((size_t)5, s.len[1], "c's length");
	ASSERT_EQ(32UL + 40UL + 16UL, f.cons, "consumer past the discarded one too");
}

/* A callback's negative return: that record is consumed, the next is not,
 * and the error is returned (the session's batch limit). */
static void test_callback_stops(void)
{
	static struct fake_ring f;
	struct seen s = { .stop_after = 2 };
	unsigned long a, b, c;

	fake_init(&f, 0);
	a = fake_reserve(&f, 8, 1);
	b = fake_reserve(&f, 8, 2);
	c = fake_reserve(&f, 8, 3);
	fake_commit(&f, a, 8);
	fake_commit(&f, b, 8);
	fake_commit(&f, c, 8);
	ASSERT_EQ((int64_t)-EAGAIN, ring_view_consume(&f.v, on_rec, &s), "the callback's error");
	ASSERT_EQ(2, s.n, "stopped after the second");
	ASSERT_EQ(32UL, f.cons, "second consumed, third not");
	s.stop_after = 0;
	ASSERT_EQ((int64_t)1, ring_view_consume(&f.v, on_rec, &s), "the third next time");
	ASSERT_EQ(3, (int)s.first[2], "c");
	ASSERT_EQ(48UL, f.cons, "consumer");
}

/* The ring filled to the last byte, around the end, twice over. */
static void test_full_ring_cycles(void)
{
	static struct fake_ring f;
	struct seen s = { 0 };
	/* 120 + 8 = 128: 32 records fill the ring exactly */
	const uint32_t len = 120;

	fake_init(&f, 0);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < RING / 128; i++) {
			unsigned long at = fake_reserve(&f, len, (uint8_t)i);

			fake_commit(&f, at, len);
		}
		s.n = 0;
		ASSERT_EQ((int64_t)(RING / 128), ring_view_consume(&f.v, on_rec, &s), "a full ring");
		ASSERT_EQ((unsigned long)RING * (round + 1), f.cons, "consumer");
	}
	/* with an offset, so every record straddles the end once per cycle */
	fake_init(&f, 100 * 8);
	for (int round = 0; round < 3; round++) {
		int bad = 0;

		for (int i = 0; i < RING / 128; i++) {
			unsigned long at = fake_reserve(&f, len, (uint8_t)(i * 3));

			fake_commit(&f, at, len);
		}
		memset(&s, 0, sizeof(s));
		ASSERT_EQ((int64_t)(RING / 128), ring_view_consume(&f.v, on_rec, &s), "offset ring");
		for (int i = 0; i < 16; i++)
			bad += !s.pattern_ok[i];
		ASSERT_EQ(0, bad, "every record intact");
	}
}

/* A length no producer writes (beyond what was reserved): an error, not a
 * read outside the ring. */
static void test_bad_length(void)
{
	static struct fake_ring f;
	struct seen s = { 0 };
	unsigned long a;

	fake_init(&f, 0);
	a = fake_reserve(&f, 16, 1);
	fake_commit(&f, a, RING * 2);
	ASSERT_EQ((int64_t)-EBADMSG, ring_view_consume(&f.v, on_rec, &s), "refused");
	ASSERT_EQ(0, s.n, "nothing handed out");
	ASSERT_EQ(0UL, f.cons, "consumer unmoved");
}

int main(void)
{
	RUN_TEST(test_empty);
	RUN_TEST(test_records_in_order);
	RUN_TEST(test_wrap);
	RUN_TEST(test_wrap_header_last);
	RUN_TEST(test_busy_stops);
	RUN_TEST(test_discard_skipped);
	RUN_TEST(test_callback_stops);
	RUN_TEST(test_full_ring_cycles);
	RUN_TEST(test_bad_length);
	return unit_exit();
}
