// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_escape.c - the escapers (user/record/escape.c) on any bytes.
 *
 * Invariants:
 *  - JSON: the stdio and strbuf writers give the same bytes, all printable
 *    ASCII; as a JSON string literal it parses (json-c), and mapping each
 *    code point back to one byte gives the input exactly.
 *  - C escape: printable ASCII only, NUL-terminated at the returned length,
 *    within dstsz; with room for the worst case it decodes back to the
 *    input; cut short, it is a prefix of the whole escape (never half an
 *    escape) followed by as much of "..." as fits.
 */
#define _GNU_SOURCE
#include <string.h>

#include <json-c/json.h>

#include "escape.h"
#include "fuzz.h"
#include "strbuf.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode a UTF-8 JSON string value (json-c's) back to bytes, one per code
 * point U+0000..U+00FF; returns the length, or (size_t)-1 on any other. */
static size_t latin1_of_utf8(const unsigned char *s, size_t n, unsigned char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x80) {
			out[o++] = s[i];
		} else if ((s[i] == 0xc2 || s[i] == 0xc3) && i + 1 < n &&
			   (s[i + 1] & 0xc0) == 0x80) {
			out[o++] = (unsigned char)((s[i] & 0x1f) << 6 | (s[i + 1] & 0x3f));
			i++;
		} else {
			return (size_t)-1;
		}
	}
	return o;
}

static void check_json(const uint8_t *data, size_t size)
{
	struct strbuf b = { 0 };
	char *out = NULL;
	size_t out_len = 0, n;
	struct json_tokener *tok;
	struct json_object *o;
	unsigned char *back;
	FILE *f = open_memstream(&out, &out_len);

	FUZZ_CHECK(f, "open_memstream");
	json_write_string(f, data, size);
	fclose(f);
	json_string_buf(&b, data, size);
	FUZZ_CHECK(!b.oom, "strbuf oom");
	FUZZ_CHECK(b.len == out_len && !memcmp(b.p, out, out_len),
		   "stdio and strbuf escapes differ");
	FUZZ_CHECK(out_len >= 2 && out[0] == '"' && out[out_len - 1] == '"', "not quoted");
	for (size_t i = 0; i < out_len; i++)
		FUZZ_CHECK(out[i] >= 0x20 && out[i] < 0x7f, "byte 0x%02x at %zu of the JSON",
			   (unsigned char)out[i], i);

	tok = json_tokener_new();
	FUZZ_CHECK(tok, "json_tokener_new");
	o = json_tokener_parse_ex(tok, out, (int)out_len);
	FUZZ_CHECK(o && json_object_is_type(o, json_type_string) &&
		   json_tokener_get_parse_end(tok) == out_len, "not a JSON string: %s", out);
	back = malloc(size + 1);
	FUZZ_CHECK(back, "malloc");
	n = latin1_of_utf8((const unsigned char *)json_object_get_string(o),
			   (size_t)json_object_get_string_len(o), back);
	FUZZ_CHECK(n == size && !memcmp(back, data, size), "JSON does not round-trip");
	free(back);
	json_object_put(o);
	json_tokener_free(tok);
	free(out);
	sb_free(&b);
}

/* Undo c_escape; returns the length, or (size_t)-1 for a bad escape. */
static size_t c_unescape(const char *s, size_t n, unsigned char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			out[o++] = (unsigned char)s[i];
			continue;
		}
		if (++i == n)
			return (size_t)-1;
		switch (s[i]) {
		case '\\': out[o++] = '\\'; break;
		case '"':  out[o++] = '"'; break;
		case 'n':  out[o++] = '\n'; break;
		case 'r':  out[o++] = '\r'; break;
		case 't':  out[o++] = '\t'; break;
		case 'x':
			if (i + 2 >= n)
				return (size_t)-1;
			if (hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
				return (size_t)-1;
			out[o++] = (unsigned char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
			i += 2;
			break;
		default:
			return (size_t)-1;
		}
	}
	return o;
}

static void check_c(const uint8_t *data, size_t size)
{
	size_t full_sz = 4 * size + 1, full_len, len, dstsz, n;
	char *full = malloc(full_sz), *dst;
	unsigned char *back = malloc(size + 1);

	FUZZ_CHECK(full && back, "malloc");
	full_len = c_escape(full, full_sz, data, size);
	FUZZ_CHECK(full_len < full_sz && strlen(full) == full_len, "length %zu", full_len);
	FUZZ_CHECK(fuzz_first_control(full, full_len, "") == full_len, "control byte");
	for (size_t i = 0; i < full_len; i++)
		FUZZ_CHECK((unsigned char)full[i] < 0x7f, "byte 0x%02x", (unsigned char)full[i]);
	n = c_unescape(full, full_len, back);
	FUZZ_CHECK(n == size && !memcmp(back, data, size), "C escape does not round-trip");

	/* every buffer size up to the whole escape (bounded for speed) */
	for (dstsz = 0; dstsz <= full_len + 1 && dstsz <= 80; dstsz++) {
		dst = malloc(dstsz ? dstsz : 1);
		FUZZ_CHECK(dst, "malloc");
		len = c_escape(dst, dstsz, data, size);
		if (!dstsz) {
			FUZZ_CHECK(len == 0, "wrote %zu into 0 bytes", len);
			free(dst);
			continue;
		}
		FUZZ_CHECK(len < dstsz && strlen(dst) == len, "dstsz %zu: length %zu", dstsz, len);
		if (len == full_len && !memcmp(dst, full, len)) {
			free(dst);
			continue;	/* it fit */
		}
		/* cut: a prefix of whole escapes, then as much of "..." as fits */
		{
			size_t dots = dstsz - 1 < 3 ? dstsz - 1 : 3, keep;

			FUZZ_CHECK(len >= dots && !memcmp(dst + len - dots, "...", dots),
				   "dstsz %zu: cut without \"...\": %s", dstsz, dst);
			keep = len - dots;
			FUZZ_CHECK(keep < full_len && !memcmp(dst, full, keep),
				   "dstsz %zu: not a prefix of the escape: %s", dstsz, dst);
			FUZZ_CHECK(c_unescape(dst, keep, back) != (size_t)-1,
				   "dstsz %zu: half an escape: %s", dstsz, dst);
		}
		free(dst);
	}
	free(full);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_json(data, size);
	check_c(data, size);
	return 0;
}
