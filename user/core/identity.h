/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * identity.h - who wrote a record: host, boot and tracer run, so that a
 * collector that receives a record twice (a shipper retrying) or not at
 * all (a gap in seq) can tell (docs/event-schema.md "Identity").
 *
 * The ids come from libsystemd (sd-id128): the host id is the machine-id
 * hashed with our application id, so the raw machine-id never leaves the
 * host; the boot id is the kernel's; the run id is random per run.
 */
#ifndef MDEVVER_IDENTITY_H
#define MDEVVER_IDENTITY_H

#include <stddef.h>

/* The application id host ids are derived with
 * (sd_id128_get_machine_app_specific): fixed forever, or every host id
 * changes.  Defined here only. */
/* SD_ID128_MAKE spelled out: its token pasting (0x##5f) trips cppcheck */
#define MDEVVER_APP_ID ((const sd_id128_t){ .bytes = { \
	0x18, 0x56, 0x5f, 0x4f, 0xea, 0xcf, 0x4d, 0xd0, \
	0x8c, 0x15, 0x5d, 0xaf, 0xe5, 0x25, 0xe6, 0xcb } })

/* Where host_id came from. */
#define IDENTITY_FROM_MACHINE_ID "machine-id"
/* No usable /etc/machine-id: the boot id hashed the same way -- unique,
 * but a new host id every boot (documented fallback). */
#define IDENTITY_FROM_BOOT_ID "boot-id"

struct identity {
	char host_id[33], boot_id[33], run_id[33];	/* 32 lowercase hex */
	const char *host_id_from;	/* IDENTITY_FROM_* */
	char why[160];	/* host_id_from boot-id: why not the machine-id */
};

/*
 * Fill *id.  0, or -1 with why (a message for p_err) when the boot id or
 * the random run id cannot be had; a missing machine-id is not an error
 * (the fallback, with id->why saying why).
 */
int identity_get(struct identity *id, char *why, size_t why_sz);

/* Only the host id and where it comes from (probes): 0, or -1 with why. */
int identity_host(struct identity *id, char *why, size_t why_sz);

#endif
