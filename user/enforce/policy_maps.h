/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy_maps.h - a compiled policy written into the enforcement maps of a
 * loaded BPF object, and the flip that puts it in force.  Used by enforce
 * (user/enforce/enforce.c) and by the in-kernel matcher's test
 * (tests/bpf/matcher_test.c), so the test loads a policy exactly as enforce
 * does.
 */
#ifndef MDEVVER_POLICY_MAPS_H
#define MDEVVER_POLICY_MAPS_H

#include "policy.h"
#include "policy_compile.h"

/* The maps of bpf/maps.bpf.h a policy lives in, as file descriptors. */
struct policy_map_fds {
	int state;		/* enforce_state */
	int rules;
	int rule_names;
	int rule_index;
	int prefixes;
};

/*
 * Write c (compiled for generation target, from p) into the maps: the
 * generation's flags cleared, its old index and prefix entries removed,
 * rules, names, prefixes, index written, its flags set, then the flip
 * (state ACTIVE_GEN = target).  The caller has made sure nobody evaluates
 * target (its users count is 0).  Returns 0, or -1 with errno set (the
 * generation's flags are left 0: nothing of it is used).
 */
int policy_maps_write(const struct policy_map_fds *m, const struct policy *p,
		      const struct compiled_policy *c, unsigned int target);

/* The nodes map's entry for a device whose own string is bytes[0..len) (as
 * read from its attribute; one trailing newline does not count). */
void policy_node_entry(struct mdevver_node *node, const void *bytes, size_t len);

#endif
