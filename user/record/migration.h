/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * migration.h - one migration record per device session, joined from the
 * lifecycle records of that session (docs/migration.md).
 *
 * A session is one open of a VFIO device file.  Its state changes make the
 * path ("RUNNING>STOP_COPY>STOP"); entering STOP_COPY or PRE_COPY makes it
 * a source, RESUMING a target.  It is "completed" when the data phase ended
 * with a successful change (source: out of STOP_COPY; target: out of
 * RESUMING), "failed" at its first failed change (with the errno), and
 * "abandoned" when the file was closed in the middle.  Time stopped is the
 * time spent outside RUNNING and PRE_COPY, the downtime this device
 * contributed.  A target pairs with the source on this host that moved
 * the same number of bytes.  The version checks of the device's type seen
 * before the first change travel with the record.
 */
#ifndef MDEVVER_MIGRATION_H
#define MDEVVER_MIGRATION_H

#include <stdbool.h>

#include "record.h"

struct migration_joiner;

struct migration_joiner *migration_joiner_new(void);
void migration_joiner_free(struct migration_joiner *mj);

/* A check record: counted for its mdev type. */
void migration_note_check(struct migration_joiner *mj, const struct record *r);

/*
 * A lifecycle record.  Returns true when it completed a session's
 * migration record, then in *out (strings valid until the next call).
 */
bool migration_feed(struct migration_joiner *mj, const struct record *r,
		    struct record *out);

/*
 * At the end of tracing: the next session that saw state changes but was
 * not closed, as an "in-progress" record; false when none is left.
 */
bool migration_flush(struct migration_joiner *mj, struct record *out);

#endif
