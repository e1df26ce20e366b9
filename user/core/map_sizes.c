// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * map_sizes.c - the maps a configuration never touches are made with one
 * entry (map_sizes.h).
 *
 * The kernel preallocates every element of a hash or LRU map and
 * allocates an array whole when the map is made.  One object serves every
 * mode, so a plain trace made the policy's maps and the migration
 * lifecycle's maps too: about
 * 17 MB of kernel memory it never used, and their making was part of the
 * start (the bench guest: ~90 ms of MAP_CREATE for 29 maps).
 *
 * Which maps a configuration uses is decided by rodata, so the verifier
 * removes the other paths before the programs are loaded: a plain tracer's
 * enforce_mode() is OFF (instance_id 0, bpf/policy.bpf.h), and the
 * lifecycle's programs are not loaded
 * without mdev/VFIO.  A map keeps one entry, not none: libbpf still makes
 * every map the object names.  The VM test vm_trimmed_maps_unused checks
 * that no loaded program refers to a trimmed map.
 */
#include <bpf/libbpf.h>

#include "map_sizes.h"
#include "mdevver_trace.skel.h"

/* the maps of one use, by name: their map in the skeleton */
struct trim {
	const char *name;
	int which;	/* 0: policy, 1: lifecycle */
};

static const struct trim trims[] = {
	{ "rules", 0 }, { "rule_names", 0 }, { "rule_index", 0 }, { "nodes", 0 },
	{ "places", 0 }, { "decisions", 0 }, { "judges", 0 },
	{ "vfio_calls", 1 }, { "vfio_sessions", 1 }, { "mig_decisions", 1 },
};

static bool unused(const struct trim *t, const struct map_use *use)
{
	switch (t->which) {
	case 0:
		return !use->policy;
	default:
		/* the ioctl permission hook judges migrations with them */
		return !use->lifecycle && !use->policy;
	}
}

void map_sizes_trim(struct mdevver_trace_bpf *skel, const struct map_use *use)
{
	for (size_t i = 0; i < sizeof(trims) / sizeof(trims[0]); i++) {
		struct bpf_map *m;

		if (!unused(&trims[i], use))
			continue;
		m = bpf_object__find_map_by_name(skel->obj, trims[i].name);
		/* before load this cannot fail; a map renamed in the object
		 * is kept at its size (the test names what it expects) */
		if (m)
			bpf_map__set_max_entries(m, 1);
	}
}
