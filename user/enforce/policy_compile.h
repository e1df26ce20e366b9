/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy_compile.h - a parsed policy turned into the entries of the
 * enforcement maps (include/mdevver_enforce.h) for one generation.  Pure:
 * no BPF here, so it is unit-tested on the build host.
 */
#ifndef MDEVVER_POLICY_COMPILE_H
#define MDEVVER_POLICY_COMPILE_H

#include <stddef.h>
#include <stdint.h>

#include "mdevver_enforce.h"
#include "policy.h"

struct compiled_index {
	struct mdevver_index_key key;
	struct mdevver_rule_list list;
};

struct compiled_prefix {
	struct mdevver_prefix_key key;
	struct mdevver_prefix_set set;
};

struct compiled_policy {
	struct mdevver_rule *rules;	/* rules[i]: the file's i-th rule */
	size_t n_rules;
	struct compiled_index *index;
	size_t n_index;
	struct compiled_prefix *prefixes;
	size_t n_prefixes;
	uint64_t gen_flags;		/* enum mdevver_gen_flags */
	size_t largest_bucket;		/* rules verified at most per index key */
};

/* FNV-1a of len bytes: the hash the kernel side computes. */
uint64_t mdevver_hash(const void *data, size_t len);

/*
 * Compile p for generation gen (0 or 1).  Returns 0, or -1 with
 * err = "FILE:LINE: what is wrong" (limits of the in-kernel matcher).
 */
int policy_compile(const struct policy *p, unsigned int gen, const char *fname,
		   struct compiled_policy *out, char *err, size_t errsz);
void compiled_policy_free(struct compiled_policy *c);

#endif
