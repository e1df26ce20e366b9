/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* decode.c - understanding an mdev version string, never rejecting one. */
#include <string.h>

#include "decode.h"
#include "strbuf.h"

#define VFIO_DEVICE_FLAGS_PCI	(1u << 1)

/* Exactly n hex digits (either case) at s -> *val; 0 on success. */
static int parse_hex(const char *s, size_t n, unsigned int *val)
{
	unsigned int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -1;
		v = v << 4 | d;
	}
	*val = v;
	return 0;
}

/* Copy a type name of len bytes if it fits mdev_type; 0 on success. */
static int set_type(struct version_info *out, const char *s, size_t len)
{
	if (len == 0 || len >= sizeof(out->mdev_type))
		return -1;
	memcpy(out->mdev_type, s, len);
	out->mdev_type[len] = '\0';
	return 0;
}

/* "%08x-%04x-%s" */
static int decode_seed(const char *s, size_t len, struct version_info *out)
{
	unsigned int common;

	if (len < 15 || s[8] != '-' || s[13] != '-')
		return -1;
	if (parse_hex(s, 8, &common) || parse_hex(s + 9, 4, &out->device_id))
		return -1;
	if (set_type(out, s + 14, len - 14))
		return -1;
	out->vendor = common & 0xffff;
	out->device_api_flags = common >> 16;
	out->format = VERSION_GVT_SEED;
	return 0;
}

/* "%04x-%04x-%s-%08x": the type may itself contain '-', so the software
 * version is whatever follows the last '-'. */
static int decode_migration(const char *s, size_t len,
			    struct version_info *out)
{
	size_t dash;

	/* 4 + 1 + 4 + 1 + type (>= 1) + 1 + 8 */
	if (len < 20 || s[4] != '-' || s[9] != '-')
		return -1;
	dash = len - 9;	/* the last '-': the 8 digits after it hold none */
	if (s[dash] != '-')
		return -1;
	if (parse_hex(s, 4, &out->vendor) ||
	    parse_hex(s + 5, 4, &out->device_id) ||
	    parse_hex(s + dash + 1, 8, &out->sw_version))
		return -1;
	if (set_type(out, s + 10, dash - 10))
		return -1;
	out->format = VERSION_GVT_MIGRATION;
	return 0;
}

void version_decode(const void *buf, size_t len, struct version_info *out)
{
	const char *s = buf;
	const unsigned char *u = buf;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->format = VERSION_OPAQUE;
	if (len && s[len - 1] == '\n') {
		out->trailing_newline = 1;
		len--;
	}
	/*
	 * Both formats consist of hex digits, '-' and a type of printable
	 * ASCII without spaces: any other byte (NUL, a second newline, 8-bit
	 * data) makes the string opaque, so the parsers below see clean text.
	 */
	for (i = 0; i < len; i++)
		if (u[i] <= ' ' || u[i] > '~')
			return;
	/* s[4] is '-' in one format and a hex digit in the other: at most
	 * one of them matches. */
	if (decode_seed(s, len, out) && decode_migration(s, len, out)) {
		int nl = out->trailing_newline;

		/* a parser may have filled fields before failing */
		memset(out, 0, sizeof(*out));
		out->format = VERSION_OPAQUE;
		out->trailing_newline = nl;
	}
}

const char *version_format_name(enum version_format f)
{
	switch (f) {
	case VERSION_OPAQUE:		return "opaque";
	case VERSION_GVT_SEED:		return "gvt-seed";
	case VERSION_GVT_MIGRATION:	return "gvt-migration";
	}
	return "unknown";
}

static const char *yesno(int b)
{
	return b ? "yes" : "no";
}

/* "pci" or "0x%x" into buf (at least 11 bytes). */
static const char *device_api(unsigned int flags, char *buf, size_t bufsz)
{
	if (flags == VFIO_DEVICE_FLAGS_PCI)
		return "pci";
	snprintf(buf, bufsz, "0x%x", flags);
	return buf;
}

void version_print_text(FILE *out, const struct version_info *v)
{
	char api[16];

	switch (v->format) {
	case VERSION_GVT_SEED:
		fprintf(out, "format=gvt-seed vendor=0x%04x device_api=%s device=0x%04x type=%s newline=%s",
			v->vendor, device_api(v->device_api_flags, api, sizeof(api)),
			v->device_id, v->mdev_type, yesno(v->trailing_newline));
		break;
	case VERSION_GVT_MIGRATION:
		fprintf(out, "format=gvt-migration vendor=0x%04x device=0x%04x type=%s sw_version=0x%08x newline=%s",
			v->vendor, v->device_id, v->mdev_type, v->sw_version,
			yesno(v->trailing_newline));
		break;
	default:
		fprintf(out, "format=%s newline=%s", version_format_name(v->format),
			yesno(v->trailing_newline));
		break;
	}
}

/*
 * A decoded type is printable ASCII, so '"' and '\\' are all that JSON needs
 * escaped (kept local so this module stands alone).
 */
static void json_type(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

void version_print_json(FILE *out, const struct version_info *v)
{
	char api[16];

	fprintf(out, "{\"format\":\"%s\"", version_format_name(v->format));
	switch (v->format) {
	case VERSION_GVT_SEED:
		fprintf(out, ",\"vendor\":%u,\"device_api\":\"%s\",\"device\":%u,\"type\":",
			v->vendor, device_api(v->device_api_flags, api, sizeof(api)),
			v->device_id);
		json_type(out, v->mdev_type);
		break;
	case VERSION_GVT_MIGRATION:
		fprintf(out, ",\"vendor\":%u,\"device\":%u,\"type\":",
			v->vendor, v->device_id);
		json_type(out, v->mdev_type);
		fprintf(out, ",\"sw_version\":%u", v->sw_version);
		break;
	default:
		break;
	}
	fprintf(out, ",\"newline\":%s}", v->trailing_newline ? "true" : "false");
}

/* version_print_json into a buffer, byte for byte the same (the record
 * formatter's hot path: no stdio). */
void version_json_buf(struct strbuf *b, const struct version_info *v)
{
	sb_puts(b, "{\"format\":\"");
	sb_puts(b, version_format_name(v->format));
	sb_putc(b, '"');
	if (v->format == VERSION_GVT_SEED || v->format == VERSION_GVT_MIGRATION) {
		sb_puts(b, ",\"vendor\":");
		sb_u64(b, v->vendor);
		if (v->format == VERSION_GVT_SEED) {
			char api[16];

			sb_puts(b, ",\"device_api\":\"");
			sb_puts(b, device_api(v->device_api_flags, api, sizeof(api)));
			sb_putc(b, '"');
		}
		sb_puts(b, ",\"device\":");
		sb_u64(b, v->device_id);
		sb_puts(b, ",\"type\":\"");
		for (const char *s = v->mdev_type; *s; s++) {
			if (*s == '"' || *s == '\\')
				sb_putc(b, '\\');
			sb_putc(b, *s);
		}
		sb_putc(b, '"');
		if (v->format == VERSION_GVT_MIGRATION) {
			sb_puts(b, ",\"sw_version\":");
			sb_u64(b, v->sw_version);
		}
	}
	sb_puts(b, v->trailing_newline ? ",\"newline\":true}" : ",\"newline\":false}");
}
