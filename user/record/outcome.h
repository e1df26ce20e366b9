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

/* Enforcement (include/mdevver_enforce.h): "denied", "would-deny",
 * "audit", "killed"; NULL for MDEVVER_VERDICT_NONE or an unknown value. */
const char *verdict_name(int verdict);
/* The outcome a judged call reports: a verdict overrides the driver's
 * answer (denied and killed -> "denied", would-deny -> "would-deny"); any
 * other verdict leaves outcome_classify's name. */
const char *outcome_judged_name(int op, int64_t ret, uint64_t count, int verdict);
/* Facts a deny rule matched without: bit i of enum mdevver_fail_closed is
 * named fail_closed_name(i) ("remote-no-user-buffer", ...); NULL past the
 * last known bit (FAIL_CLOSED_BITS). */
#define FAIL_CLOSED_BITS 7
const char *fail_closed_name(unsigned int bit);

#endif
