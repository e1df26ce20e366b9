/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* test_decode.c - mdev version strings: both GVT formats and opaque ones. */
#include <string.h>

#include "decode.h"
#include "unit.h"

/* Decode a string literal (its bytes up to, not including, the final NUL). */
#define DECODE(lit, vi) version_decode(lit, sizeof(lit) - 1, vi)

/* version_print_text / _json output into dst. */
static void print_of(char *dst, size_t dstsz, const struct version_info *v,
		     int json)
{
	struct unit_mem m;
	size_t n;

	unit_mem_open(&m);
	if (json)
		version_print_json(m.f, v);
	else
		version_print_text(m.f, v);
	unit_mem_close(&m);
	n = m.len < dstsz - 1 ? m.len : dstsz - 1;
	memcpy(dst, m.buf, n);
	dst[n] = '\0';
	unit_mem_free(&m);
}

/* Start from garbage: decode must set every field. */
static void dirty(struct version_info *vi)
{
	memset(vi, 0xa5, sizeof(*vi));
}

/* Opaque and nothing else filled in. */
static int is_clean_opaque(const struct version_info *vi, int newline)
{
	return vi->format == VERSION_OPAQUE && vi->vendor == 0 &&
	       vi->device_api_flags == 0 && vi->device_id == 0 &&
	       vi->sw_version == 0 && vi->mdev_type[0] == '\0' &&
	       vi->trailing_newline == newline;
}

static void test_seed_newline(void)
{
	struct version_info vi;

	dirty(&vi);
	DECODE("00028086-193b-i915-GVTg_V5_2\n", &vi);
	ASSERT_EQ(VERSION_GVT_SEED, vi.format, "format");
	ASSERT_EQ(0x8086u, vi.vendor, "vendor");
	ASSERT_EQ(0x2u, vi.device_api_flags, "device_api_flags");
	ASSERT_EQ(0x193bu, vi.device_id, "device_id");
	ASSERT_EQ(0u, vi.sw_version, "no sw_version");
	ASSERT_STREQ("i915-GVTg_V5_2", vi.mdev_type, "type");
	ASSERT_EQ(1, vi.trailing_newline, "newline");
}

static void test_seed_no_newline(void)
{
	struct version_info vi;

	dirty(&vi);
	DECODE("00028086-193b-i915-GVTg_V5_2", &vi);
	ASSERT_EQ(VERSION_GVT_SEED, vi.format, "format");
	ASSERT_EQ(0x8086u, vi.vendor, "vendor");
	ASSERT_EQ(0x193bu, vi.device_id, "device_id");
	ASSERT_STREQ("i915-GVTg_V5_2", vi.mdev_type, "type");
	ASSERT_EQ(0, vi.trailing_newline, "no newline");
}

static void test_seed_fields(void)
{
	struct version_info vi;

	DECODE("FFFF8086-ABCD-T", &vi);
	ASSERT_EQ(VERSION_GVT_SEED, vi.format, "upper-case hex");
	ASSERT_EQ(0xffffu, vi.device_api_flags, "all flag bits");
	ASSERT_EQ(0xabcdu, vi.device_id, "upper-case device");
	ASSERT_STREQ("T", vi.mdev_type, "one-character type");

	DECODE("0004aBcD-00Ff-x", &vi);
	ASSERT_EQ(VERSION_GVT_SEED, vi.format, "mixed case");
	ASSERT_EQ(0xabcdu, vi.vendor, "mixed-case vendor");
	ASSERT_EQ(0x4u, vi.device_api_flags, "flags 4");
	ASSERT_EQ(0xffu, vi.device_id, "device 0xff");

	DECODE("00000000-0000-a", &vi);
	ASSERT_EQ(VERSION_GVT_SEED, vi.format, "all zero");
	ASSERT_EQ(0u, vi.vendor, "vendor 0");

	/* the seed format's type may end in what looks like a sw version */
	DECODE("00028086-193b-i915-GVTg_V5_4-00000001", &vi);
	ASSERT_EQ(VERSION_GVT_SEED, vi.format, "seed wins on 8-digit start");
	ASSERT_STREQ("i915-GVTg_V5_4-00000001", vi.mdev_type, "whole rest is type");
	ASSERT_EQ(0u, vi.sw_version, "no sw_version in seed");

	/* printable punctuation is allowed in the type */
	DECODE("00028086-193b-a\"b\\c", &vi);
	ASSERT_EQ(VERSION_GVT_SEED, vi.format, "quote and backslash in type");
	ASSERT_STREQ("a\"b\\c", vi.mdev_type, "type kept as is");
}

static void test_migration(void)
{
	struct version_info vi;

	dirty(&vi);
	DECODE("8086-193b-i915-GVTg_V5_4-00000001", &vi);
	ASSERT_EQ(VERSION_GVT_MIGRATION, vi.format, "format");
	ASSERT_EQ(0x8086u, vi.vendor, "vendor");
	ASSERT_EQ(0u, vi.device_api_flags, "no device_api");
	ASSERT_EQ(0x193bu, vi.device_id, "device");
	ASSERT_STREQ("i915-GVTg_V5_4", vi.mdev_type, "type with '-' in it");
	ASSERT_EQ(1u, vi.sw_version, "sw_version");
	ASSERT_EQ(0, vi.trailing_newline, "no newline");

	dirty(&vi);
	DECODE("8086-193b-i915-GVTg_V5_4-00000001\n", &vi);
	ASSERT_EQ(VERSION_GVT_MIGRATION, vi.format, "with newline");
	ASSERT_STREQ("i915-GVTg_V5_4", vi.mdev_type, "type");
	ASSERT_EQ(1, vi.trailing_newline, "newline");

	DECODE("ABCD-EF01-x-DEADBEEF", &vi);
	ASSERT_EQ(VERSION_GVT_MIGRATION, vi.format, "upper case");
	ASSERT_EQ(0xabcdu, vi.vendor, "vendor");
	ASSERT_EQ(0xef01u, vi.device_id, "device");
	ASSERT_STREQ("x", vi.mdev_type, "one-character type");
	ASSERT_EQ(0xdeadbeefu, vi.sw_version, "sw_version uses all 32 bits");

	/* split at the LAST '-' */
	DECODE("8086-193b-a-12345678-00000002", &vi);
	ASSERT_EQ(VERSION_GVT_MIGRATION, vi.format, "hex-looking type part");
	ASSERT_STREQ("a-12345678", vi.mdev_type, "type up to the last '-'");
	ASSERT_EQ(2u, vi.sw_version, "last field");

	DECODE("8086-193b---00000003", &vi);
	ASSERT_EQ(VERSION_GVT_MIGRATION, vi.format, "type \"-\"");
	ASSERT_STREQ("-", vi.mdev_type, "type of one dash");
	DECODE("8086-193b----00000003", &vi);
	ASSERT_EQ(VERSION_GVT_MIGRATION, vi.format, "type \"--\"");
	ASSERT_STREQ("--", vi.mdev_type, "type of two dashes");
}

static void test_wrong_widths(void)
{
	static const char *const bad[] = {
		"0028086-193b-t",		/* 7-digit common part */
		"000028086-193b-t",		/* 9 digits */
		"00028086-193-t",		/* 3-digit device */
		"00028086-0193b-t",		/* 5-digit device */
		"086-193b-t-00000001",		/* 3-digit vendor */
		"08086-193b-t-00000001",	/* 5-digit vendor */
		"8086-93b-t-00000001",		/* 3-digit device */
		"8086-0193b-t-00000001",	/* 5-digit device */
		"8086-193b-t-0000001",		/* 7-digit sw version */
		"8086-193b-t-000000001",	/* 9-digit sw version */
		"8086-193b-t-",			/* no sw version */
		"8086-193b-00000001",		/* no type */
		"0002808g-193b-t",		/* not hex */
		"00028086-193x-t",
		"8086-193b-t-0000000g",
		"0x028086-193b-t",
		"00028086_193b_t",		/* wrong separators */
		"00028086-193b",		/* no type at all */
		"00028086",
		"8086",
		"-",
		"x",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct version_info vi;

		dirty(&vi);
		version_decode(bad[i], strlen(bad[i]), &vi);
		if (!is_clean_opaque(&vi, 0))
			printf("  (case %zu: \"%s\")\n", i, bad[i]);
		ASSERT_TRUE(is_clean_opaque(&vi, 0), "malformed -> clean opaque");
	}
}

static void test_empty_type(void)
{
	struct version_info vi;

	dirty(&vi);
	DECODE("00028086-193b-", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "seed, empty type");
	dirty(&vi);
	DECODE("00028086-193b-\n", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 1), "seed, empty type, newline");
	dirty(&vi);
	DECODE("8086-193b--00000001", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "migration, empty type");
}

static void test_bad_bytes(void)
{
	struct version_info vi;

	dirty(&vi);
	DECODE("00028086-193b-i915 GVTg_V5_2", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "space in type");
	DECODE("00028086-193b-i915\tGVTg", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "tab in type");
	DECODE("00028086-193b-i915\0GVTg_V5_2\n", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 1), "embedded NUL");
	DECODE("00028086-193b-i915-GVTg_V5_2\0", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "trailing NUL");
	DECODE("00028086-193b-i915-GVTg_V5_2\n\0", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "NUL after the newline");
	DECODE("00028086-193b-i915-GVTg_V5_2\n\n", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 1), "two newlines");
	DECODE("00028086-193b-i915-GVTg_V5_2\r\n", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 1), "CRLF");
	DECODE("00028086-193b-i915-GVTg_V5_2 ", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "trailing space");
	DECODE(" 00028086-193b-i915-GVTg_V5_2", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "leading space");
	DECODE("00028086-193b-\xc3\xa9t\xc3\xa9", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "UTF-8 in type");
	DECODE("00028086-193b-a\x7f", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "DEL in type");
	DECODE("8086-193b-\xff-00000001", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "0xff in migration type");
	DECODE("\n00028086-193b-t", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "leading newline");
}

static void test_opaque_others(void)
{
	struct version_info vi;

	dirty(&vi);
	version_decode("", 0, &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "empty");
	dirty(&vi);
	version_decode(NULL, 0, &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "NULL, length 0");
	DECODE("\n", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 1), "only a newline");
	DECODE("vfio_ap-passthrough", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "other vendor");
	DECODE("NVIDIA-63 vgpu=13.0 driver=470\n", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 1), "free text");
	/* the seed's exact prefix followed by a partial parse must not leave
	 * half-filled fields behind */
	dirty(&vi);
	DECODE("8086-193b-x-0000000g", &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "migration failing last");
}

static void test_long_type(void)
{
	char buf[14 + 200 + 2];
	struct version_info vi;

	memcpy(buf, "00028086-193b-", 14);
	memset(buf + 14, 't', 200);

	/* 127 characters + NUL fill mdev_type exactly */
	dirty(&vi);
	version_decode(buf, 14 + 127, &vi);
	ASSERT_EQ(VERSION_GVT_SEED, vi.format, "127-char type fits");
	ASSERT_EQ((size_t)127, strlen(vi.mdev_type), "127-char type length");

	buf[14 + 127] = '\n';
	version_decode(buf, 14 + 128, &vi);
	ASSERT_EQ(VERSION_GVT_SEED, vi.format, "127-char type + newline");
	ASSERT_EQ(1, vi.trailing_newline, "its newline");
	buf[14 + 127] = 't';

	dirty(&vi);
	version_decode(buf, 14 + 128, &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "128-char type -> opaque");
	dirty(&vi);
	version_decode(buf, 14 + 200, &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "200-char type -> opaque");

	/* the same for the migration format */
	memcpy(buf, "8086-193b-", 10);
	memset(buf + 10, 'm', 128);
	memcpy(buf + 10 + 127, "-00000001", 9);
	version_decode(buf, 10 + 127 + 9, &vi);
	ASSERT_EQ(VERSION_GVT_MIGRATION, vi.format, "127-char migration type");
	ASSERT_EQ((size_t)127, strlen(vi.mdev_type), "migration type length");
	memset(buf + 10, 'm', 128);
	memcpy(buf + 10 + 128, "-00000001", 9);
	dirty(&vi);
	version_decode(buf, 10 + 128 + 9, &vi);
	ASSERT_TRUE(is_clean_opaque(&vi, 0), "128-char migration type -> opaque");
}

static void test_format_names(void)
{
	ASSERT_STREQ("opaque", version_format_name(VERSION_OPAQUE), "opaque");
	ASSERT_STREQ("gvt-seed", version_format_name(VERSION_GVT_SEED), "seed");
	ASSERT_STREQ("gvt-migration", version_format_name(VERSION_GVT_MIGRATION),
		     "migration");
	ASSERT_STREQ("unknown", version_format_name((enum version_format)42),
		     "out of range");
}

static void test_print_text(void)
{
	struct version_info vi;
	char out[512];

	DECODE("00028086-193b-i915-GVTg_V5_2\n", &vi);
	print_of(out, sizeof(out), &vi, 0);
	ASSERT_STREQ("format=gvt-seed vendor=0x8086 device_api=pci device=0x193b type=i915-GVTg_V5_2 newline=yes",
		     out, "seed");

	DECODE("00040001-000a-mtty-1", &vi);
	print_of(out, sizeof(out), &vi, 0);
	ASSERT_STREQ("format=gvt-seed vendor=0x0001 device_api=0x4 device=0x000a type=mtty-1 newline=no",
		     out, "seed, other flags, zero-padded ids");

	DECODE("00008086-193b-t", &vi);
	print_of(out, sizeof(out), &vi, 0);
	ASSERT_STREQ("format=gvt-seed vendor=0x8086 device_api=0x0 device=0x193b type=t newline=no",
		     out, "seed, no flags");

	DECODE("00038086-193b-t", &vi);
	print_of(out, sizeof(out), &vi, 0);
	ASSERT_STREQ("format=gvt-seed vendor=0x8086 device_api=0x3 device=0x193b type=t newline=no",
		     out, "seed, PCI plus another flag is not pci");

	DECODE("8086-193b-i915-GVTg_V5_4-00000001", &vi);
	print_of(out, sizeof(out), &vi, 0);
	ASSERT_STREQ("format=gvt-migration vendor=0x8086 device=0x193b type=i915-GVTg_V5_4 sw_version=0x00000001 newline=no",
		     out, "migration");

	DECODE("ABCD-EF01-x-DEADBEEF\n", &vi);
	print_of(out, sizeof(out), &vi, 0);
	ASSERT_STREQ("format=gvt-migration vendor=0xabcd device=0xef01 type=x sw_version=0xdeadbeef newline=yes",
		     out, "migration, lower-case output");

	DECODE("vfio_ap-passthrough\n", &vi);
	print_of(out, sizeof(out), &vi, 0);
	ASSERT_STREQ("format=opaque newline=yes", out, "opaque with newline");

	DECODE("a b", &vi);
	print_of(out, sizeof(out), &vi, 0);
	ASSERT_STREQ("format=opaque newline=no", out, "opaque");
}

static void test_print_json(void)
{
	struct version_info vi;
	char out[512];

	DECODE("00028086-193b-i915-GVTg_V5_2\n", &vi);
	print_of(out, sizeof(out), &vi, 1);
	ASSERT_STREQ("{\"format\":\"gvt-seed\",\"vendor\":32902,\"device_api\":\"pci\",\"device\":6459,\"type\":\"i915-GVTg_V5_2\",\"newline\":true}",
		     out, "seed");

	DECODE("00040001-000a-mtty-1", &vi);
	print_of(out, sizeof(out), &vi, 1);
	ASSERT_STREQ("{\"format\":\"gvt-seed\",\"vendor\":1,\"device_api\":\"0x4\",\"device\":10,\"type\":\"mtty-1\",\"newline\":false}",
		     out, "seed, other flags");

	DECODE("8086-193b-i915-GVTg_V5_4-00000001", &vi);
	print_of(out, sizeof(out), &vi, 1);
	ASSERT_STREQ("{\"format\":\"gvt-migration\",\"vendor\":32902,\"device\":6459,\"type\":\"i915-GVTg_V5_4\",\"sw_version\":1,\"newline\":false}",
		     out, "migration");

	DECODE("ABCD-EF01-x-FFFFFFFF\n", &vi);
	print_of(out, sizeof(out), &vi, 1);
	ASSERT_STREQ("{\"format\":\"gvt-migration\",\"vendor\":43981,\"device\":61185,\"type\":\"x\",\"sw_version\":4294967295,\"newline\":true}",
		     out, "migration, largest sw_version");

	DECODE("00028086-193b-a\"b\\c", &vi);
	print_of(out, sizeof(out), &vi, 1);
	ASSERT_STREQ("{\"format\":\"gvt-seed\",\"vendor\":32902,\"device_api\":\"pci\",\"device\":6459,\"type\":\"a\\\"b\\\\c\",\"newline\":false}",
		     out, "type escaped for JSON");

	DECODE("\xff\0", &vi);
	print_of(out, sizeof(out), &vi, 1);
	ASSERT_STREQ("{\"format\":\"opaque\",\"newline\":false}", out, "opaque");

	DECODE("\n", &vi);
	print_of(out, sizeof(out), &vi, 1);
	ASSERT_STREQ("{\"format\":\"opaque\",\"newline\":true}", out,
		     "opaque with newline");
}

int main(void)
{
	RUN_TEST(test_seed_newline);
	RUN_TEST(test_seed_no_newline);
	RUN_TEST(test_seed_fields);
	RUN_TEST(test_migration);
	RUN_TEST(test_wrong_widths);
	RUN_TEST(test_empty_type);
	RUN_TEST(test_bad_bytes);
	RUN_TEST(test_opaque_others);
	RUN_TEST(test_long_type);
	RUN_TEST(test_format_names);
	RUN_TEST(test_print_text);
	RUN_TEST(test_print_json);
	return unit_exit();
}
