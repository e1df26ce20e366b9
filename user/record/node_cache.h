/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * node_cache.h - facts of a kernfs node (path, attribute, parent, mdev type,
 * device), computed once per node and kept by kernfs node id.
 *
 * The facts of an event depend only on its node (the names BPF captured
 * walking up from it, and for a device attribute the target of the
 * device's mdev_type link), so computing them per event -- a path join,
 * and a readlink(2) for device attributes -- is wasted work after the
 * first event of a node.
 */
#ifndef MDEVVER_NODE_CACHE_H
#define MDEVVER_NODE_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "record.h"

struct node_cache;

/* A cache of at most max nodes (0: a default of 4096); NULL on ENOMEM. */
struct node_cache *node_cache_new(size_t max);
void node_cache_free(struct node_cache *c);

/*
 * The facts of e's node.  e->path_depth must be <= MDEVVER_PATH_DEPTH
 * (record_from_event clamps it) -- deeper values are clamped here too.
 * Strings stay valid until the next node_cache_get of a node not cached
 * (the cache may be emptied then) or of node id 0, or node_cache_free.
 * Never NULL.
 */
const struct record_node *node_cache_get(struct node_cache *c,
					 const struct mdevver_event *e);

/* Tests: replace readlink(2) used to find a device's mdev type. */
typedef ssize_t (*node_cache_readlink_fn)(const char *path, char *buf, size_t sz);
void node_cache_set_readlink(struct node_cache *c, node_cache_readlink_fn fn);

struct node_cache_stats {
	uint64_t hits;		/* facts found cached */
	uint64_t computed;	/* facts computed (misses and node id 0) */
	uint64_t resets;	/* times the cache was full and emptied */
	uint64_t readlinks;	/* readlink calls made */
	size_t entries;		/* nodes cached now */
};
void node_cache_stats(const struct node_cache *c, struct node_cache_stats *st);

#endif
