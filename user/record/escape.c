/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* escape.c - byte strings made safe for JSON and for a terminal. */
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

void json_bytes_buf(struct strbuf *b, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i = 0;

	/* the same mapping as json_write_bytes: runs of plain bytes in one
	 * copy, escapes one by one */
	while (i < len) {
		size_t run = i;
		char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
		size_t n = 2;
		unsigned char c;

		while (run < len && json_plain(p[run]))
			run++;
		sb_put(b, p + i, run - i);
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
			esc[4] = hexdig[c >> 4];
			esc[5] = hexdig[c & 0xf];
			n = 6;
		}
		sb_put(b, esc, n);
		i = run + 1;
	}
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

size_t c_escape(char *dst, size_t dstsz, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t cap, pos = 0, mark = 0, i;

	if (!dstsz)
		return 0;
	cap = dstsz - 1;	/* room for characters, NUL excluded */
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
