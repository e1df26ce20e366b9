/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * privileges.h - least privilege: which capabilities loading needs, which
 * the running session keeps, and the drop after start (docs/privileges.md).
 */
#ifndef MDEVVER_PRIVILEGES_H
#define MDEVVER_PRIVILEGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A set of capabilities: bit n is capability n. */
typedef uint64_t capset_t;

#define CAPSET_BIT(cap) ((capset_t)1 << (cap))

/* What loading needs: CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN alone does it
 * too); enforcing (BPF LSM) adds CAP_MAC_ADMIN. */
capset_t privileges_needed_to_load(bool enforce);

/* What a running session keeps after the drop: CAP_BPF (every bpf(2) call
 * on its maps and programs: ring and slot maps, policy reload, the
 * kernel's skip counts, pinned state), or CAP_SYS_ADMIN where the process
 * has it but not CAP_BPF.  Nothing else. */
capset_t privileges_kept(void);

/* This thread's effective and permitted sets (0 where unreadable). */
capset_t privileges_effective(void);
capset_t privileges_permitted(void);

/* Which of the load needs are missing from the effective set: 0 when
 * loading can go ahead (CAP_SYS_ADMIN covers CAP_BPF and CAP_PERFMON). */
capset_t privileges_missing(bool enforce);

/* enforce (not --dry-run): the one-line error naming what is missing of
 * CAP_BPF, CAP_PERFMON and CAP_MAC_ADMIN; 0 when nothing is. */
int privileges_require_enforce(void);

/* "CAP_BPF, CAP_PERFMON" (", " between; "none" for 0), in buf. */
const char *privileges_names(capset_t set, char *buf, size_t sz);

/* One line: "CAP_BPF and CAP_PERFMON" style for messages. */
const char *privileges_names_and(capset_t set, char *buf, size_t sz);

/*
 * After loading, attaching, opening the sinks (and pinning): drop every
 * capability but privileges_kept(), in every thread of the process
 * (effective, permitted, inheritable, ambient; and the bounding set where
 * CAP_SETPCAP allows).  verbose: one line on stderr naming what remains.
 * Returns 0, or -1 after printing why (the session must not go on with
 * more than it says it keeps).
 */
int privileges_drop(bool verbose);

#endif
