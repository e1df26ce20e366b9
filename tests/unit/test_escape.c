/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* test_escape.c - JSON and C escaping of arbitrary bytes. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "unit.h"

/* JSON contents of buf[0..len) into dst (copied, so nothing leaks). */
static size_t json_of(char *dst, size_t dstsz, const void *buf, size_t len,
		      int quoted)
{
	struct unit_mem m;
	size_t n;

	unit_mem_open(&m);
	if (quoted)
		json_write_string(m.f, buf, len);
	else
		json_write_bytes(m.f, buf, len);
	unit_mem_close(&m);
	n = m.len < dstsz - 1 ? m.len : dstsz - 1;
	memcpy(dst, m.buf, n);
	dst[n] = '\0';
	unit_mem_free(&m);
	return m.len;
}

/*
 * An independent decoder for what json_write_bytes may produce: the JSON
 * string escapes, each code point mapped back to one byte (it must be
 * <= 0xff).  Returns the byte count, or -1 on anything malformed.
 */
static long json_decode_latin1(const char *s, unsigned char *out, size_t outsz)
{
	size_t n = 0;

	while (*s) {
		unsigned int c;

		if (n == outsz)
			return -1;
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f ||
		    *s == '"')
			return -1;	/* must have been escaped */
		if (*s != '\\') {
			out[n++] = (unsigned char)*s++;
			continue;
		}
		s++;
		switch (*s) {
		case '"': c = '"'; break;
		case '\\': c = '\\'; break;
		case '/': c = '/'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			if (sscanf(s + 1, "%4x", &c) != 1 || strlen(s) < 5)
				return -1;
			s += 4;
			break;
		default:
			return -1;
		}
		if (c > 0xff)
			return -1;
		out[n++] = (unsigned char)c;
		s++;
	}
	return (long)n;
}

/* The escape json_write_bytes must produce for byte c (spec restated). */
static void expected_json(unsigned int c, char *e)
{
	switch (c) {
	case '"': strcpy(e, "\\\""); return;
	case '\\': strcpy(e, "\\\\"); return;
	case '\n': strcpy(e, "\\n"); return;
	case '\r': strcpy(e, "\\r"); return;
	case '\t': strcpy(e, "\\t"); return;
	case '\b': strcpy(e, "\\b"); return;
	case '\f': strcpy(e, "\\f"); return;
	}
	if (c >= 0x20 && c <= 0x7e)
		sprintf(e, "%c", c);
	else
		sprintf(e, "\\u%04x", c);
}

static void test_json_each_byte(void)
{
	unsigned int c;

	for (c = 0; c < 256; c++) {
		unsigned char b = (unsigned char)c;
		char got[16], want[16];

		expected_json(c, want);
		json_of(got, sizeof(got), &b, 1, 0);
		ASSERT_STREQ(want, got, "escape of one byte");
	}
}

static void test_json_specific(void)
{
	char got[64];

	json_of(got, sizeof(got), "\0", 1, 0);
	ASSERT_STREQ("\\u0000", got, "NUL");
	json_of(got, sizeof(got), "\xff", 1, 0);
	ASSERT_STREQ("\\u00ff", got, "0xff lower-case hex");
	json_of(got, sizeof(got), "\x80", 1, 0);
	ASSERT_STREQ("\\u0080", got, "0x80");
	json_of(got, sizeof(got), "\x7f", 1, 0);
	ASSERT_STREQ("\\u007f", got, "DEL");
	json_of(got, sizeof(got), "\x1f", 1, 0);
	ASSERT_STREQ("\\u001f", got, "0x1f");
	json_of(got, sizeof(got), "\x0b", 1, 0);
	ASSERT_STREQ("\\u000b", got, "vertical tab has no short escape");
	json_of(got, sizeof(got), "\"", 1, 0);
	ASSERT_STREQ("\\\"", got, "quote");
	json_of(got, sizeof(got), "\\", 1, 0);
	ASSERT_STREQ("\\\\", got, "backslash");
	json_of(got, sizeof(got), "\n", 1, 0);
	ASSERT_STREQ("\\n", got, "newline");
	json_of(got, sizeof(got), "\r\t\b\f", 4, 0);
	ASSERT_STREQ("\\r\\t\\b\\f", got, "short escapes");
	json_of(got, sizeof(got), "/ ~", 3, 0);
	ASSERT_STREQ("/ ~", got, "slash, space, tilde as is");
	json_of(got, sizeof(got), "00028086-193b-i915-GVTg_V5_2\n", 29, 0);
	ASSERT_STREQ("00028086-193b-i915-GVTg_V5_2\\n", got, "seed string");
	json_of(got, sizeof(got), "a\0b", 3, 0);
	ASSERT_STREQ("a\\u0000b", got, "NUL does not end the bytes");
	json_of(got, sizeof(got), "\xc3\xa9", 2, 0);
	ASSERT_STREQ("\\u00c3\\u00a9", got, "UTF-8 kept byte for byte");
}

static void test_json_empty_and_quoted(void)
{
	char got[64];
	size_t n;

	n = json_of(got, sizeof(got), "", 0, 0);
	ASSERT_EQ((size_t)0, n, "no bytes, no output");
	n = json_of(got, sizeof(got), NULL, 0, 0);
	ASSERT_EQ((size_t)0, n, "NULL buffer of length 0");
	json_of(got, sizeof(got), "", 0, 1);
	ASSERT_STREQ("\"\"", got, "empty string literal");
	json_of(got, sizeof(got), "a\"b\n", 4, 1);
	ASSERT_STREQ("\"a\\\"b\\n\"", got, "quoted literal");
	json_of(got, sizeof(got), "xyz", 2, 1);
	ASSERT_STREQ("\"xy\"", got, "len respected, not strlen");
}

static void test_json_roundtrip_all_bytes(void)
{
	unsigned char in[256], back[256];
	static char text[256 * 6 + 1];
	size_t n;
	long m;
	unsigned int c;

	for (c = 0; c < 256; c++)
		in[c] = (unsigned char)c;
	n = json_of(text, sizeof(text), in, sizeof(in), 0);
	ASSERT_TRUE(n < sizeof(text), "output fits the test buffer");
	m = json_decode_latin1(text, back, sizeof(back));
	ASSERT_EQ(256L, m, "decoded length");
	ASSERT_MEMEQ(in, back, sizeof(in), "round trip of 0..255");
}

static void test_json_roundtrip_random(void)
{
	unsigned char in[512] = { 0 }, back[512];
	static char text[512 * 6 + 1];
	uint32_t x = 12345;
	int round;

	for (round = 0; round < 200; round++) {
		size_t len = (size_t)round % sizeof(in), i;
		long m;

		for (i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;	/* fixed LCG: repeatable */
			in[i] = (unsigned char)(x >> 16);
		}
		json_of(text, sizeof(text), in, len, 0);
		m = json_decode_latin1(text, back, sizeof(back));
		ASSERT_EQ((long)len, m, "decoded length");
		ASSERT_MEMEQ(in, back, len, "round trip of random bytes");
	}
}

/* The C escape c_escape must produce for byte c (spec restated). */
static void expected_c(unsigned int c, char *e)
{
	switch (c) {
	case '"': strcpy(e, "\\\""); return;
	case '\\': strcpy(e, "\\\\"); return;
	case '\n': strcpy(e, "\\n"); return;
	case '\r': strcpy(e, "\\r"); return;
	case '\t': strcpy(e, "\\t"); return;
	}
	if (c >= 0x20 && c <= 0x7e)
		sprintf(e, "%c", c);
	else
		sprintf(e, "\\x%02x", c);
}

static void test_c_each_byte(void)
{
	unsigned int c;

	for (c = 0; c < 256; c++) {
		unsigned char b = (unsigned char)c;
		char got[16], want[16];
		size_t n;

		expected_c(c, want);
		n = c_escape(got, sizeof(got), &b, 1);
		ASSERT_STREQ(want, got, "C escape of one byte");
		ASSERT_EQ(strlen(want), n, "returned length");
	}
}

static void test_c_specific(void)
{
	char got[64];
	size_t n;

	n = c_escape(got, sizeof(got), "a\0b\xff\x7f\b\f\"\\\n\r\t", 12);
	ASSERT_STREQ("a\\x00b\\xff\\x7f\\x08\\x0c\\\"\\\\\\n\\r\\t", got,
		     "mixed bytes");
	ASSERT_EQ(strlen(got), n, "returned length is strlen");
	n = c_escape(got, sizeof(got), "", 0);
	ASSERT_STREQ("", got, "empty input");
	ASSERT_EQ((size_t)0, n, "empty input length");
	n = c_escape(got, sizeof(got), NULL, 0);
	ASSERT_STREQ("", got, "NULL input of length 0");
	ASSERT_EQ((size_t)0, n, "NULL input length");
}

static void test_c_exact_fit(void)
{
	char got[8];
	size_t n;

	/* 7 characters + NUL: fits exactly, no "..." */
	n = c_escape(got, sizeof(got), "abcdefg", 7);
	ASSERT_STREQ("abcdefg", got, "exact fit");
	ASSERT_EQ((size_t)7, n, "exact fit length");
	/* escapes count as what they print: 4 + 2 + 1 = 7 */
	n = c_escape(got, sizeof(got), "\x01\na", 3);
	ASSERT_STREQ("\\x01\\na", got, "escapes fit exactly");
	ASSERT_EQ((size_t)7, n, "escape fit length");
}

static void test_c_truncation(void)
{
	char got[8];
	size_t n;

	n = c_escape(got, sizeof(got), "abcdefgh", 8);
	ASSERT_STREQ("abcd...", got, "one too long");
	ASSERT_EQ((size_t)7, n, "truncated length");
	n = c_escape(got, sizeof(got), "abcdefghijklmnop", 16);
	ASSERT_STREQ("abcd...", got, "much too long");
	ASSERT_EQ((size_t)7, n, "much too long length");
	/* an escape is never cut in half */
	n = c_escape(got, sizeof(got), "\x01\x02", 2);
	ASSERT_STREQ("\\x01...", got, "two hex escapes");
	ASSERT_EQ((size_t)7, n, "hex escape truncated length");
	n = c_escape(got, sizeof(got), "ab\x01zzzz", 7);
	ASSERT_STREQ("ab...", got, "escape dropped whole, not cut");
	ASSERT_EQ((size_t)5, n, "dropped escape length");
	n = c_escape(got, sizeof(got), "\\\\\\\\", 4);
	/* 4 backslashes escape to 8 chars; two escapes + "..." fit in 7 */
	ASSERT_STREQ("\\\\\\\\...", got, "backslashes dropped whole");
	ASSERT_EQ((size_t)7, n, "backslash length");
	/* a + 4 backslashes: units end at 1 3 5 7 9; "..." fits after 3 */
	n = c_escape(got, sizeof(got), "a\\\\\\\\", 5);
	ASSERT_STREQ("a\\\\...", got, "backslash escape not cut");
	ASSERT_EQ((size_t)6, n, "odd offset backslash length");
}

static void test_c_tiny_buffers(void)
{
	char buf[8];
	size_t n;

	memset(buf, 'Z', sizeof(buf));
	n = c_escape(buf, 0, "abc", 3);
	ASSERT_EQ((size_t)0, n, "dstsz 0 writes nothing");
	ASSERT_EQ('Z', buf[0], "dstsz 0 leaves dst alone");

	memset(buf, 'Z', sizeof(buf));
	n = c_escape(buf, 1, "abc", 3);
	ASSERT_EQ((size_t)0, n, "dstsz 1 length");
	ASSERT_STREQ("", buf, "dstsz 1: only the NUL");
	ASSERT_EQ('Z', buf[1], "dstsz 1: nothing beyond");

	memset(buf, 'Z', sizeof(buf));
	n = c_escape(buf, 2, "abc", 3);
	ASSERT_STREQ(".", buf, "dstsz 2");
	ASSERT_EQ((size_t)1, n, "dstsz 2 length");
	ASSERT_EQ('Z', buf[2], "dstsz 2: nothing beyond");

	memset(buf, 'Z', sizeof(buf));
	n = c_escape(buf, 4, "abcd", 4);
	ASSERT_STREQ("...", buf, "dstsz 4, 4 bytes");
	ASSERT_EQ((size_t)3, n, "dstsz 4 length");
	ASSERT_EQ('Z', buf[4], "dstsz 4: nothing beyond");

	memset(buf, 'Z', sizeof(buf));
	n = c_escape(buf, 4, "abc", 3);
	ASSERT_STREQ("abc", buf, "dstsz 4, 3 bytes fit");
	ASSERT_EQ((size_t)3, n, "dstsz 4 fit length");

	memset(buf, 'Z', sizeof(buf));
	n = c_escape(buf, 5, "\x01", 1);
	ASSERT_STREQ("\\x01", buf, "dstsz 5, one hex escape fits");
	ASSERT_EQ((size_t)4, n, "hex escape length");

	memset(buf, 'Z', sizeof(buf));
	n = c_escape(buf, 4, "\x01", 1);
	ASSERT_STREQ("...", buf, "dstsz 4, hex escape does not fit");
	ASSERT_EQ((size_t)3, n, "hex escape replaced by dots");
}

/* Every dstsz from 1 to the full size: NUL-terminated, in bounds, and a
 * prefix of the full escape followed by dots when cut. */
static void test_c_all_sizes(void)
{
	const char in[] = "i915\x01\"GVTg\\\n\xff_V5";
	char full[128], buf[128 + 8];
	size_t fulllen, sz;

	/* boundary[k]: 1 where an escape unit ends in the full form */
	char boundary[128] = { 1 };
	size_t i, at = 0;

	for (i = 0; i < sizeof(in) - 1; i++) {
		char one[8];

		at += c_escape(one, sizeof(one), &in[i], 1);
		boundary[at] = 1;
	}
	fulllen = c_escape(full, sizeof(full), in, sizeof(in) - 1);
	ASSERT_TRUE(fulllen < sizeof(full) - 1, "full escape fits");
	ASSERT_EQ(at, fulllen, "units add up to the whole");
	for (sz = 1; sz <= fulllen + 1; sz++) {
		size_t n, keep;

		memset(buf, 'Z', sizeof(buf));
		n = c_escape(buf, sz, in, sizeof(in) - 1);
		ASSERT_EQ(strlen(buf), n, "length is strlen");
		ASSERT_TRUE(n <= sz - 1, "within dstsz");
		ASSERT_EQ('Z', buf[sz], "nothing written beyond dstsz");
		if (sz == fulllen + 1) {
			ASSERT_STREQ(full, buf, "full size: no dots");
			continue;
		}
		keep = n >= 3 ? n - 3 : 0;
		ASSERT_MEMEQ(full, buf, keep, "prefix of the full escape");
		ASSERT_TRUE(strspn(buf + keep, ".") == n - keep, "ends in dots");
		ASSERT_TRUE(n == sz - 1 || n - keep == 3, "dots complete or buffer full");
		ASSERT_TRUE(boundary[keep], "cut on an escape boundary");
		/* units are at most 4 chars: no more is given up than needed */
		ASSERT_TRUE(sz < 4 || n >= sz - 4, "at most one escape dropped");
	}
}

int main(void)
{
	RUN_TEST(test_json_each_byte);
	RUN_TEST(test_json_specific);
	RUN_TEST(test_json_empty_and_quoted);
	RUN_TEST(test_json_roundtrip_all_bytes);
	RUN_TEST(test_json_roundtrip_random);
	RUN_TEST(test_c_each_byte);
	RUN_TEST(test_c_specific);
	RUN_TEST(test_c_exact_fit);
	RUN_TEST(test_c_truncation);
	RUN_TEST(test_c_tiny_buffers);
	RUN_TEST(test_c_all_sizes);
	return unit_exit();
}
