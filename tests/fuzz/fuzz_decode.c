// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_decode.c - the version string decoder (user/record/decode.c) on any
 * bytes.
 *
 * Invariants: a decoded string prints back to the same string (hex digits
 * in either case); the type is NUL-terminated printable ASCII; the text
 * form is one line of printable ASCII; the JSON form is one valid JSON
 * object, the same bytes from the stdio and the strbuf writers, and it
 * says what the struct says.
 */
#define _GNU_SOURCE
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "decode.h"
#include "fuzz.h"
#include "strbuf.h"

/* in[0..len) equals the string the fields print as (hex digits in either
 * case; the type, checked exactly, is part of the input). */
static void check_roundtrip(const char *in, size_t len, const struct version_info *v)
{
	char re[256];
	int n;

	if (v->format == VERSION_GVT_SEED)
		n = snprintf(re, sizeof(re), "%08x-%04x-%s",
			     v->device_api_flags << 16 | v->vendor, v->device_id, v->mdev_type);
	else
		n = snprintf(re, sizeof(re), "%04x-%04x-%s-%08x", v->vendor,
			     v->device_id, v->mdev_type, v->sw_version);
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof(re), "re-encoded length %d", n);
	FUZZ_CHECK((size_t)n == len, "re-encoded %d bytes from %zu: %s", n, len, re);
	FUZZ_CHECK(!strncasecmp(re, in, len), "re-encoded differs: %s", re);
	/* the type itself is compared exactly */
	FUZZ_CHECK(memmem(in, len, v->mdev_type, strlen(v->mdev_type)) != NULL,
		   "type %s not in the input", v->mdev_type);
}

static void check_json(const char *s, size_t n, const struct version_info *v)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o, *f;

	FUZZ_CHECK(tok, "json_tokener_new");
	o = json_tokener_parse_ex(tok, s, (int)n);
	FUZZ_CHECK(o && json_tokener_get_parse_end(tok) == n,
		   "invalid JSON: %.*s", (int)n, s);
	FUZZ_CHECK(json_object_object_get_ex(o, "format", &f) &&
		   !strcmp(json_object_get_string(f), version_format_name(v->format)),
		   "format of %.*s", (int)n, s);
	if (v->format != VERSION_OPAQUE)
		FUZZ_CHECK(json_object_object_get_ex(o, "type", &f) &&
			   !strcmp(json_object_get_string(f), v->mdev_type),
			   "type of %.*s", (int)n, s);
	FUZZ_CHECK(json_object_object_get_ex(o, "newline", &f) &&
		   json_object_get_boolean(f) == !!v->trailing_newline,
		   "newline of %.*s", (int)n, s);
	json_object_put(o);
	json_tokener_free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct version_info v;
	struct strbuf b = { 0 };
	char *text = NULL, *json = NULL;
	size_t text_len = 0, json_len = 0, len = size;
	FILE *f;

	version_decode(data, size, &v);
	FUZZ_CHECK(v.format == VERSION_OPAQUE || v.format == VERSION_GVT_SEED ||
		   v.format == VERSION_GVT_MIGRATION, "format %d", (int)v.format);
	FUZZ_CHECK(v.trailing_newline == (size && data[size - 1] == '\n'),
		   "trailing_newline %d", v.trailing_newline);
	if (v.trailing_newline)
		len--;
	if (v.format == VERSION_OPAQUE) {
		FUZZ_CHECK(!v.mdev_type[0] && !v.vendor && !v.device_id && !v.sw_version &&
			   !v.device_api_flags, "opaque with fields set");
	} else {
		size_t tl = strnlen(v.mdev_type, sizeof(v.mdev_type));

		FUZZ_CHECK(tl > 0 && tl < sizeof(v.mdev_type), "type length %zu", tl);
		for (size_t i = 0; i < tl; i++)
			FUZZ_CHECK(v.mdev_type[i] > ' ' && v.mdev_type[i] <= '~',
				   "type byte 0x%02x", (unsigned char)v.mdev_type[i]);
		check_roundtrip((const char *)data, len, &v);
	}

	f = open_memstream(&text, &text_len);
	FUZZ_CHECK(f, "open_memstream");
	version_print_text(f, &v);
	fclose(f);
	FUZZ_CHECK(text_len > 0 && fuzz_first_control(text, text_len, "") == text_len,
		   "text form: %s", text);

	f = open_memstream(&json, &json_len);
	FUZZ_CHECK(f, "open_memstream");
	version_print_json(f, &v);
	fclose(f);
	version_json_buf(&b, &v);
	FUZZ_CHECK(!b.oom, "strbuf oom");
	FUZZ_CHECK(b.len == json_len && !memcmp(b.p, json, json_len),
		   "stdio and strbuf JSON differ: %s | %.*s", json, (int)b.len, b.p);
	check_json(json, json_len, &v);

	free(text);
	free(json);
	sb_free(&b);
	return 0;
}
