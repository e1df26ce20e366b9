/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* escape.c - byte strings made safe for JSON and for a terminal. */
#include <string.h>

#include "escape.h"

static const char hexdig[] = "0123456789abcdef";

void json_write_bytes(FILE *out, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = p[i];

		switch (c) {
		case '"':  fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		default:
			if (c >= 0x20 && c < 0x7f) {
				fputc(c, out);
			} else {
				/*
				 * Bytes >= 0x80 are escaped too rather than
				 * written raw: raw they would be invalid
				 * UTF-8, and the escape keeps the mapping
				 * one code point per byte.
				 */
				fputs("\\u00", out);
				fputc(hexdig[c >> 4], out);
				fputc(hexdig[c & 0xf], out);
			}
		}
	}
}

void json_write_string(FILE *out, const void *buf, size_t len)
{
	fputc('"', out);
	json_write_bytes(out, buf, len);
	fputc('"', out);
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
