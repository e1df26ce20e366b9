/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * stage.h - the records of one round, per ring, merged back into time
 * order.  Checks and reads travel in two rings (docs/delivery.md), drained
 * one after the other; a read made before a check must still come before
 * it in the stream and in the audit log.  Each round copies what its ring
 * records need (not the whole reservation) and hands them out merged by
 * time, each ring's own order kept (a run's repeats stay after its first
 * event).
 */
#ifndef MDEVVER_STAGE_H
#define MDEVVER_STAGE_H

#include <stddef.h>

struct stage;

struct stage *stage_new(void);
void stage_free(struct stage *st);

/* Copy one ring record (len bytes as the ring gave them): an event is cut
 * to what it holds (header, path, data_len bytes, local when present).
 * Returns 0, or -1 when out of memory (the record is then not kept). */
int stage_add(struct stage *st, const void *rec, size_t len);

typedef void (*stage_fn)(void *ctx, const void *rec, size_t len);

/* Hand the records of a and b to fn in time order (ties: a first), each
 * stage's own order kept, then empty both. */
void stage_merge(struct stage *a, struct stage *b, stage_fn fn, void *ctx);

#endif
