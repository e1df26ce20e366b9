// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * policy_maps.c - a compiled policy into the enforcement maps, then the
 * flip (include/mdevver_enforce.h explains why that has no gap).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>

#include "mdevver_enforce.h"
#include "policy_maps.h"

static void state_set(int fd, __u32 key, __u64 value)
{
	bpf_map_update_elem(fd, &key, &value, BPF_ANY);
}

/* The index and prefix entries of generation gen, removed. */
static void clear_gen(const struct policy_map_fds *m, unsigned int gen)
{
	struct mdevver_index_key ik, next_ik;
	struct mdevver_prefix_key pk, next_pk;
	void *prev;

	/* deleting while walking restarts the walk: collect-free, restart */
	for (prev = NULL; !bpf_map_get_next_key(m->rule_index, prev, &next_ik);) {
		ik = next_ik;
		if (ik.gen == gen) {
			bpf_map_delete_elem(m->rule_index, &ik);
			prev = NULL;
			continue;
		}
		prev = &ik;
	}
	for (prev = NULL; !bpf_map_get_next_key(m->prefixes, prev, &next_pk);) {
		pk = next_pk;
		if (pk.data[0] == gen) {
			bpf_map_delete_elem(m->prefixes, &pk);
			prev = NULL;
			continue;
		}
		prev = &pk;
	}
}

int policy_maps_write(const struct policy_map_fds *m, const struct policy *p,
		      const struct compiled_policy *c, unsigned int target)
{
	int saved;

	/* nobody evaluates target now, and nobody will until the flip */
	state_set(m->state, MDEVVER_STATE_GEN_FLAGS0 + target, 0);
	clear_gen(m, target);
	for (size_t i = 0; i < c->n_rules; i++) {
		__u32 key = target * MDEVVER_RULES_MAX + (__u32)i;
		struct mdevver_rule_name name;

		memset(&name, 0, sizeof(name));
		snprintf(name.name, sizeof(name.name), "%s", p->rules[i].name);
		if (bpf_map_update_elem(m->rules, &key, &c->rules[i], BPF_ANY) ||
		    bpf_map_update_elem(m->rule_names, &key, &name, BPF_ANY))
			goto map_err;
	}
	for (size_t i = 0; i < c->n_prefixes; i++)
		if (bpf_map_update_elem(m->prefixes, &c->prefixes[i].key,
					&c->prefixes[i].set, BPF_ANY))
			goto map_err;
	for (size_t i = 0; i < c->n_index; i++)
		if (bpf_map_update_elem(m->rule_index, &c->index[i].key,
					&c->index[i].list, BPF_ANY))
			goto map_err;
	state_set(m->state, MDEVVER_STATE_GEN_FLAGS0 + target, c->gen_flags);
	/* the flip: from here every new evaluation uses the new rules */
	state_set(m->state, MDEVVER_STATE_ACTIVE_GEN, target);
	return 0;
map_err:
	saved = errno;
	state_set(m->state, MDEVVER_STATE_GEN_FLAGS0 + target, 0);
	errno = saved;
	return -1;
}

void policy_node_entry(struct mdevver_node *node, const void *bytes, size_t len)
{
	const unsigned char *buf = bytes;

	memset(node, 0, sizeof(*node));
	if (len && buf[len - 1] == '\n')
		len--;
	node->local_hash = mdevver_hash(buf, len);
	node->local_len = (__u32)len;
	node->flags = MDEVVER_NODE_LOCAL;
	if (len > MDEVVER_PREFIX_MAX) {
		node->flags |= MDEVVER_NODE_LOCAL_LONG;
		len = MDEVVER_PREFIX_MAX;
	}
	memcpy(node->local, buf, len);
}
