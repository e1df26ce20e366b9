/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* escape.h - byte strings made safe for JSON and for a terminal. */
#ifndef MDEVVER_ESCAPE_H
#define MDEVVER_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

struct strbuf;

/*
 * Write buf[0..len) as the *contents* of a JSON string (no quotes).
 * Lossless byte mapping: every byte becomes the code point of the same
 * value (ISO-8859-1 view).  Printable ASCII stays as is except '"' and '\\';
 * \n \r \t \b \f use their short escapes; every other byte (controls, NUL,
 * 0x7f..0xff) becomes \u00XX.  Decoding the JSON string and mapping each
 * code point back to one byte gives the original bytes exactly.
 */
void json_write_bytes(FILE *out, const void *buf, size_t len);

/* The same, written as a complete JSON string literal with quotes. */
void json_write_string(FILE *out, const void *buf, size_t len);

/* The same two into a growable buffer (record/strbuf.h): the record
 * formatters' hot path, no stdio. */
void json_bytes_buf(struct strbuf *b, const void *buf, size_t len);
void json_string_buf(struct strbuf *b, const void *buf, size_t len);

/*
 * C-style escape for terminals and text logs: printable ASCII as is,
 * '\\' -> "\\\\", '"' -> "\\\"", \n \r \t as such, anything else \xNN.
 * Writes at most dstsz-1 chars + NUL into dst; if the escaped form does not
 * fit, it ends with "..." (still NUL-terminated).  Returns the length written.
 */
size_t c_escape(char *dst, size_t dstsz, const void *buf, size_t len);

#endif
