/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* from_vfio.h - a kernel lifecycle record to a RECORD_LIFECYCLE. */
#ifndef MDEVVER_FROM_VFIO_H
#define MDEVVER_FROM_VFIO_H

#include <stddef.h>

#include "mdevver_vfio.h"
#include "record.h"

/* "RUNNING", "STOP_COPY", ...; "?" for MDEVVER_MIG_UNKNOWN; "INVALID" */
const char *mig_state_name(unsigned int state);

/* VFIO_MIGRATION_* flags as "stop-copy,p2p,pre-copy" in buf */
const char *mig_flags_text(uint64_t flags, char *buf, size_t sz);

/* who->vm and who->unit from who->pid / who->cgroup_id (vm_name.h) */
void record_actor_names(struct record_actor *who);

/*
 * One ring record of kind MDEVVER_REC_VFIO -> a RECORD_LIFECYCLE.  Returns
 * 0, or -1 for a malformed record.  Strings point into e and into static
 * tables: valid until e is freed or the next call.
 */
int record_from_vfio(struct record *r, const struct mdevver_vfio_event *e,
		     size_t len, const struct record_ctx *ctx);

#endif
