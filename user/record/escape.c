/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* escape.c - byte strings made safe for JSON and for a terminal. */
#include <stdint.h>
#include <string.h>

#include "escape.h"
#include "strbuf.h"

static const char hexdig[] = "0123456789abcdef";

static int json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void json_write_bytes(FILE *out, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i = 0;

	/* runs of plain bytes go out in one fwrite: this is the hot path of
	 * every event, and per-byte stdio calls cost more than the rest */
	while (i < len) {
		size_t run = i;
		char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
		size_t n = 2;
		unsigned char c;

		while (run < len && json_plain(p[run]))
			run++;
		if (run > i)
			fwrite(p + i, 1, run - i, out);
		if (run == len)
			break;
		c = p[run];
		switch (c) {
		case '"':  esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			/*
			 * Controls and bytes >= 0x7f become \u00XX: raw, bytes
			 * >= 0x80 would be invalid UTF-8, and the escape keeps
			 * the mapping one code point per byte.
			 */
			esc[4] = hexdig[c >> 4];
			esc[5] = hexdig[c & 0xf];
			n = 6;
		}
		fwrite(esc, 1, n, out);
		i = run + 1;
	}
}

void json_write_string(FILE *out, const void *buf, size_t len)
{
	fputc('"', out);
	json_write_bytes(out, buf, len);
	fputc('"', out);
}

/*
 * How each byte appears inside a JSON string: 0 = as itself, 'u' = \u00XX,
 * anything else = backslash and that character.  One table lookup per byte
 * instead of a chain of comparisons: escaping was the largest part of the
 * per-record cost (callgrind).
 */
static const unsigned char json_esc[256] = {
	[0x00 ... 0x07] = 'u',
	['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', [0x0b] = 'u', ['\f'] = 'f',
	['\r'] = 'r', [0x0e ... 0x1f] = 'u',
	['"'] = '"', ['\\'] = '\\',
	[0x7f ... 0xff] = 'u',
};

/*
 * Length of the run of bytes at p (at most n) that JSON takes as they are.
 * Eight bytes at a time (SWAR): a byte needs an escape when it is below
 * 0x20, above 0x7e, '"' or '\\'; most strings are plain from end to end.
 */
static size_t json_plain_run(const unsigned char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, highs = ones * 0x80;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x, quote, bslash, bad;

		memcpy(&x, p + i, 8);
		quote = x ^ (ones * '"');
		bslash = x ^ (ones * '\\');
		bad = (x - ones * 0x20) |		/* < 0x20 borrows */
		      (x + ones * (0x80 - 0x7f)) |	/* >= 0x7f sets 0x80 */
		      (quote - ones) | (bslash - ones) | x;
		/* a byte with its high bit set in bad, or in x itself, may
		 * need an escape: the exact check decides below */
		if (bad & highs)
			break;
	}
	while (i < n && !json_esc[p[i]])
		i++;
	return i;
}

void json_bytes_buf(struct strbuf *b, const void *buf, size_t len)
{
	const unsigned char *p = buf, *end = p + len;
	char *o;

	/* the same mapping as json_write_bytes; room for the worst case
	 * (6 bytes per byte) first, then one pass straight into the buffer */
	if (!len || !sb_reserve(b, len * 6))
		return;
	o = b->p + b->len;
	while (p < end) {
		size_t run = json_plain_run(p, (size_t)(end - p));
		unsigned char c, e;

		memcpy(o, p, run);
		o += run;
		p += run;
		if (p == end)
			break;
		c = *p++;
		e = json_esc[c];
		if (e != 'u') {
			*o++ = '\\';
			*o++ = (char)e;
		} else {
			memcpy(o, "\\u00", 4);
			o[4] = hexdig[c >> 4];
			o[5] = hexdig[c & 0xf];
			o += 6;
		}
	}
	b->len = (size_t)(o - b->p);
}

void json_string_buf(struct strbuf *b, const void *buf, size_t len)
{
	sb_putc(b, '"');
	json_bytes_buf(b, buf, len);
	sb_putc(b, '"');
}

/* The C escape of one byte into u (at most 4 chars); returns its length. */
static size_t c_escape_one(char u[4], unsigned char c)
{
	switch (c) {
	case '\\': u[0] = '\\'; u[1] = '\\'; return 2;
	case '"':  u[0] = '\\'; u[1] = '"'; return 2;
	case '\n': u[0] = '\\'; u[1] = 'n'; return 2;
	case '\r': u[0] = '\\'; u[1] = 'r'; return 2;
	case '\t': u[0] = '\\'; u[1] = 't'; return 2;
	default:
		if (c >= 0x20 && c < 0x7f) {
			u[0] = (char)c;
			return 1;
		}
		u[0] = '\\';
		u[1] = 'x';
		u[2] = hexdig[c >> 4];
		u[3] = hexdig[c & 0xf];
		return 4;
	}
}

/* Bytes c_escape copies as they are: printable ASCII but '\\' and '"'. */
static const unsigned char c_plain[256] = {
	[0x20 ... 0x21] = 1,	/* 0x22 is '"' */
	[0x23 ... 0x5b] = 1,	/* 0x5c is '\\' */
	[0x5d ... 0x7e] = 1,
};

size_t c_escape(char *dst, size_t dstsz, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t cap, pos = 0, mark = 0, i;

	if (!dstsz)
		return 0;
	cap = dstsz - 1;	/* room for characters, NUL excluded */
	if (len <= cap / 4) {
		/* the worst case fits: no cut to plan for (the common case) */
		for (i = 0; i < len; i++) {
			if (c_plain[p[i]])
				dst[pos++] = (char)p[i];
			else
				pos += c_escape_one(dst + pos, p[i]);
		}
		dst[pos] = '\0';
		return pos;
	}
	for (i = 0; i < len; i++) {
		char u[4];
		size_t n = c_escape_one(u, p[i]);

		if (n > cap - pos) {
			/*
			 * Does not fit: go back to the last whole escape
			 * after which "..." still fits (escapes are never
			 * cut in half), and end with as much of "..." as
			 * the buffer holds.
			 */
			pos = mark;
			n = cap - pos < 3 ? cap - pos : 3;
			memset(dst + pos, '.', n);
			pos += n;
			break;
		}
		memcpy(dst + pos, u, n);
		pos += n;
		if (cap >= 3 && pos <= cap - 3)
			mark = pos;
	}
	dst[pos] = '\0';
	return pos;
}
