/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sat.h - saturating counter arithmetic.  Counts come from logs that may be
 * forged ("count" or "lost" of 2^64-1): a tally stops at UINT64_MAX instead
 * of wrapping to a small number.
 */
#ifndef MDEVVER_SAT_H
#define MDEVVER_SAT_H

#include <stdint.h>

static inline uint64_t sat_add_u64(uint64_t a, uint64_t b)
{
	uint64_t s;

	return __builtin_add_overflow(a, b, &s) ? UINT64_MAX : s;
}

/* *a += b, stopping at UINT64_MAX */
static inline void sat_inc_u64(uint64_t *a, uint64_t b)
{
	*a = sat_add_u64(*a, b);
}

#endif
