/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* outcome.h - what a read or a check's return value means. */
#ifndef MDEVVER_OUTCOME_H
#define MDEVVER_OUTCOME_H

#include <stdint.h>

enum mdevver_outcome {
	OUTCOME_COMPATIBLE,	/* check: ret == bytes written */
	OUTCOME_INCOMPATIBLE,	/* check: any errno but ENODEV */
	OUTCOME_UNSUPPORTED,	/* check or read: -ENODEV; read: any errno */
	OUTCOME_PARTIAL,	/* check: 0 <= ret != bytes written (driver took part) */
	OUTCOME_OK,		/* read: returned a string */
};

/* op is enum mdevver_op (include/mdevver_trace.h). */
enum mdevver_outcome outcome_classify(int op, int64_t ret, uint64_t count);
/* "compatible", "incompatible", "unsupported", "partial", "ok" */
const char *outcome_name(enum mdevver_outcome o);
/* true for compatible and ok */
int outcome_is_success(enum mdevver_outcome o);
/*
 * Symbolic errno name for ret < 0 ("EINVAL"), NULL for ret >= 0.
 * Unknown values give "E<number>" (e.g. "E4095") from thread-local buffers
 * that rotate: the last 4 such results of a thread stay valid.
 */
const char *outcome_errno_name(int64_t ret);

#endif
