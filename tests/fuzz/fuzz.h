/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * fuzz.h - shared by the libFuzzer targets (tests/fuzz/fuzz_*.c): an
 * invariant that does not hold is a crash, so libFuzzer keeps the input.
 */
#ifndef MDEVVER_FUZZ_H
#define MDEVVER_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                 \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: invariant failed: %s: ",      \
				__FILE__, __LINE__, #cond);                   \
			fprintf(stderr, __VA_ARGS__);                         \
			fputc('\n', stderr);                                  \
			abort();                                              \
		}                                                             \
	} while (0)

/* The index of the first byte < 0x20 or 0x7f in s[0..n) other than the
 * allowed ones (a string of them, e.g. "\n"), or n when there is none. */
static inline size_t fuzz_first_control(const char *s, size_t n,
					const char *allowed)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *a;

		if (c >= 0x20 && c != 0x7f)
			continue;
		for (a = allowed; *a && (unsigned char)*a != c; a++)
			;
		if (!*a)
			return i;
	}
	return n;
}

#endif
