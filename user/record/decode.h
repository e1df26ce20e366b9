/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* decode.h - understanding an mdev version string, never rejecting one. */
#ifndef MDEVVER_DECODE_H
#define MDEVVER_DECODE_H

#include <stddef.h>
#include <stdio.h>

enum version_format {
	VERSION_OPAQUE,		/* vendor-defined: shown, not interpreted */
	VERSION_GVT_SEED,	/* "%08x-%04x-%s": common part, device id, type */
	VERSION_GVT_MIGRATION,	/* "%04x-%04x-%s-%08x": vendor, device, type, sw version */
};

struct version_info {
	enum version_format format;
	unsigned int vendor;		/* PCI vendor id (0x8086) */
	unsigned int device_api_flags;	/* seed: common part >> 16 (VFIO_DEVICE_FLAGS_*) */
	unsigned int device_id;
	unsigned int sw_version;	/* migration format only */
	char mdev_type[128];		/* type name, NUL-terminated */
	int trailing_newline;		/* the string ended with '\n' (stripped before parsing) */
};

/*
 * Decode buf[0..len).  One trailing '\n' is allowed and noted.  Hex fields
 * must have exactly the width of the format (8/4 or 4/4/8 digits, either
 * case); the type must be non-empty printable ASCII without spaces and fit
 * mdev_type.  Anything else -> VERSION_OPAQUE (never an error).
 */
void version_decode(const void *buf, size_t len, struct version_info *out);

/* "opaque", "gvt-seed", "gvt-migration" */
const char *version_format_name(enum version_format f);

/*
 * One line of text: for gvt-seed e.g.
 *   format=gvt-seed vendor=0x8086 device_api=pci device=0x193b type=i915-GVTg_V5_2 newline=yes
 * for gvt-migration:
 *   format=gvt-migration vendor=0x8086 device=0x193b type=i915-GVTg_V5_4 sw_version=0x00000001 newline=no
 * for opaque: format=opaque newline=yes|no
 * device_api: "pci" when flags == 0x2 (VFIO_DEVICE_FLAGS_PCI), else "0x%x".
 * No trailing newline is written.
 */
void version_print_text(FILE *out, const struct version_info *v);

/* The same as a JSON object (keys: format, vendor, device_api, device,
 * type, sw_version, newline); vendor, device and sw_version as JSON numbers,
 * device_api as the string of the text form, newline a boolean; absent keys
 * omitted for formats that lack them.  E.g.
 *   {"format":"gvt-seed","vendor":32902,"device_api":"pci","device":6459,"type":"i915-GVTg_V5_2","newline":true}
 */
void version_print_json(FILE *out, const struct version_info *v);

/* The same JSON object appended to a growable buffer (record/strbuf.h). */
struct strbuf;
void version_json_buf(struct strbuf *b, const struct version_info *v);

#endif
