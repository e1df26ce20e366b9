// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * node_cache.c - facts of a kernfs node, cached by node id (node_cache.h).
 *
 * Invalidation: none is needed.  kernfs_node.id holds the inode number and
 * a generation, and the kernel never hands the same id to another node
 * while it runs, so a cached entry can never describe the wrong node.  The
 * only limit is size: when the table is full it is emptied and filled
 * again (no LRU: a working set of more than max attributes is not a real
 * host, and a reset costs one recomputation per node).
 *
 * Table: open addressing, linear probing, twice as many slots as entries
 * so probes stay short.  Node id 0 means "unknown" (an older BPF object):
 * never cached, computed into a scratch entry each time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node_cache.h"
#include "sysfs_path.h"

#define PATH_BUF 2048
#define TYPE_BUF 256

struct node_entry {
	uint64_t id;		/* 0: empty slot */
	struct record_node node;
	char *storage;		/* every string of node, one allocation */
};

struct node_cache {
	struct node_entry *slots;
	size_t mask;		/* slots - 1 (a power of two) */
	size_t n, max;
	node_cache_readlink_fn readlink;
	struct node_entry scratch;	/* node id 0, and allocation failures */
	char scratch_buf[PATH_BUF + 4 * MDEVVER_NAME_MAX + TYPE_BUF];
	struct node_cache_stats st;
};

static ssize_t sys_readlink(const char *path, char *buf, size_t sz)
{
	return readlink(path, buf, sz);
}

struct node_cache *node_cache_new(size_t max)
{
	struct node_cache *c = calloc(1, sizeof(*c));
	size_t slots = 2;

	if (!c)
		return NULL;
	c->max = max ? max : 4096;
	while (slots < 2 * c->max)
		slots *= 2;
	c->slots = calloc(slots, sizeof(*c->slots));
	if (!c->slots) {
		free(c);
		return NULL;
	}
	c->mask = slots - 1;
	c->readlink = sys_readlink;
	return c;
}

static void empty(struct node_cache *c)
{
	for (size_t i = 0; i <= c->mask; i++) {
		free(c->slots[i].storage);
		c->slots[i].storage = NULL;
		c->slots[i].id = 0;
	}
	c->n = 0;
}

void node_cache_free(struct node_cache *c)
{
	if (!c)
		return;
	empty(c);
	free(c->slots);
	free(c);
}

void node_cache_set_readlink(struct node_cache *c, node_cache_readlink_fn fn)
{
	c->readlink = fn ? fn : sys_readlink;
}

void node_cache_stats(const struct node_cache *c, struct node_cache_stats *st)
{
	*st = c->st;
	st->entries = c->n;
}

/* The facts, as C strings in temporary buffers. */
struct facts {
	char path[PATH_BUF];
	int path_truncated;
	struct sysfs_attr_location loc;
	char type[TYPE_BUF];
};

/* mdev type of a device directory: the last component of its mdev_type
 * link's target; NULL when it cannot be read. */
static const char *device_type(struct node_cache *c, const char *path,
			       char *out, size_t outsz)
{
	char link[PATH_BUF + 16], target[PATH_BUF];
	const char *slash = strrchr(path, '/'), *base;
	ssize_t n;

	if (!slash)
		return NULL;
	snprintf(link, sizeof(link), "%.*s/mdev_type", (int)(slash - path), path);
	c->st.readlinks++;
	n = c->readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return NULL;
	target[n] = '\0';
	while (n > 1 && target[n - 1] == '/')	/* basename(3) of "a/b/" is "b" */
		target[--n] = '\0';
	base = strrchr(target, '/');
	base = base && base[1] ? base + 1 : target;
	n = (ssize_t)strlen(base);
	if ((size_t)n >= outsz)
		n = (ssize_t)outsz - 1;	/* a type name is < 256 bytes anyway */
	memcpy(out, base, (size_t)n);
	out[n] = '\0';
	return out;
}

static void compute(struct node_cache *c, const struct mdevver_event *e,
		    struct facts *f)
{
	/* never trust a count from the ring more than the array it indexes */
	unsigned int depth = e->path_depth < MDEVVER_PATH_DEPTH ?
			     e->path_depth : MDEVVER_PATH_DEPTH;

	f->path_truncated = !!(e->flags & MDEVVER_F_PATH_TRUNCATED);
	sysfs_path_join(f->path, sizeof(f->path), &e->path[0][0],
			MDEVVER_NAME_MAX, depth, f->path_truncated);
	sysfs_attr_locate(&e->path[0][0], MDEVVER_NAME_MAX, depth, &f->loc);
	/* a cut path does not name the device's real directory */
	if (!f->loc.mdev_type && f->loc.device && !f->path_truncated)
		f->loc.mdev_type = device_type(c, f->path, f->type, sizeof(f->type));
	c->st.computed++;
}

/* A name from the ring: NUL-terminated within MDEVVER_NAME_MAX, or cut. */
static size_t name_len(const char *s)
{
	return s ? strnlen(s, MDEVVER_NAME_MAX) : 0;
}

static size_t facts_size(const struct facts *f)
{
	return strlen(f->path) + name_len(f->loc.attr) + name_len(f->loc.parent) +
	       (f->loc.mdev_type == f->type ? strlen(f->type) :
		name_len(f->loc.mdev_type)) + name_len(f->loc.device) + 5;
}

static struct bytes put(char **pos, const char *s, size_t n)
{
	struct bytes b = { NULL, 0 };

	if (!s)
		return b;
	memcpy(*pos, s, n);
	(*pos)[n] = '\0';	/* C strings too, for the text formatter */
	b.p = *pos;
	b.len = n;
	*pos += n + 1;
	return b;
}

/* Copy the facts into storage (facts_size(f) bytes) as n's strings. */
static void store(struct record_node *n, const struct facts *f, char *storage)
{
	char *pos = storage;

	n->path = put(&pos, f->path, strlen(f->path));
	n->path_truncated = f->path_truncated;
	n->attr = put(&pos, f->loc.attr, name_len(f->loc.attr));
	n->parent = put(&pos, f->loc.parent, name_len(f->loc.parent));
	n->mdev_type = put(&pos, f->loc.mdev_type, f->loc.mdev_type == f->type ?
			   strlen(f->type) : name_len(f->loc.mdev_type));
	n->device = put(&pos, f->loc.device, name_len(f->loc.device));
}

static const struct record_node *scratch(struct node_cache *c, const struct facts *f)
{
	store(&c->scratch.node, f, c->scratch_buf);
	return &c->scratch.node;
}

/* splitmix64's finalizer: node ids are sequential inode numbers in the
 * low bits and a generation in the high bits; mix both into the index */
static size_t slot_of(uint64_t id, size_t mask)
{
	id ^= id >> 30;
	id *= 0xbf58476d1ce4e5b9ull;
	id ^= id >> 27;
	id *= 0x94d049bb133111ebull;
	id ^= id >> 31;
	return (size_t)id & mask;
}

const struct record_node *node_cache_get(struct node_cache *c,
					 const struct mdevver_event *e)
{
	struct facts f;
	struct node_entry *slot;
	size_t i = 0;

	if (e->node_id) {
		for (i = slot_of(e->node_id, c->mask); c->slots[i].id; i = (i + 1) & c->mask) {
			if (c->slots[i].id == e->node_id) {
				c->st.hits++;
				return &c->slots[i].node;
			}
		}
	}
	compute(c, e, &f);
	if (!e->node_id)
		return scratch(c, &f);
	if (c->n == c->max) {
		empty(c);
		c->st.resets++;
		i = slot_of(e->node_id, c->mask);
	}
	/* i is the empty slot the probe ended on (the table is never full:
	 * at most max of 2 * max slots are used) */
	slot = &c->slots[i];
	slot->storage = malloc(facts_size(&f));
	if (!slot->storage)
		return scratch(c, &f);	/* correct, just not cached */
	store(&slot->node, &f, slot->storage);
	slot->id = e->node_id;
	c->n++;
	return &slot->node;
}
