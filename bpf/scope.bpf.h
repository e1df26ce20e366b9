/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * scope.bpf.h - what is watched: one definition for tracing, the dry run
 * and enforcement.
 *
 * An attribute is watched when its name is watched (attr_names: version,
 * migration_version, -a NAME) AND it sits in an mdev layout:
 *
 *   .../mdev_supported_types/<type>/<attr>    an mdev type's attribute
 *   <device dir>/<attr>                       an mdev device's attribute:
 *                                             the directory has an
 *                                             "mdev_type" link
 *
 * Anything else with a watched name (/sys/module/<mod>/version, say) is
 * reported only with --any-sysfs, its events marked MDEVVER_F_SCOPE_OTHER;
 * the policy never judges those, so enforce refuses --any-sysfs.
 *
 * The cheap test comes first: the name (one hash lookup) rules out nearly
 * every sysfs file; the layout (a parent's name, or one rbtree descent in
 * the directory) is looked at only for watched names.
 */
#ifndef MDEVVER_SCOPE_BPF_H
#define MDEVVER_SCOPE_BPF_H

#include "maps.bpf.h"

/* "mdev_supported_types" and its NUL fit; a longer name reads as 24 */
#define SCOPE_NAME_SCRATCH	24

/* Is the kernel string s exactly want (len bytes)?  scratch: at least
 * SCOPE_NAME_SCRATCH bytes, and len < SCOPE_NAME_SCRATCH. */
static __always_inline bool kname_is(char *scratch, const char *s,
				     const char *want, int len)
{
	if (bpf_probe_read_kernel_str(scratch, SCOPE_NAME_SCRATCH, s) != len + 1)
		return false;
	for (int i = 0; i < len && i < SCOPE_NAME_SCRATCH; i++)
		if (scratch[i] != want[i])
			return false;
	return true;
}

/* kernfs_name_hash(name, NULL) of fs/kernfs/dir.c: how a directory's
 * children are ordered in its rbtree.  Constant-folded by clang. */
static __always_inline __u32 kernfs_hash_of(const char *s, int len)
{
	unsigned long hash = 0;

	for (int i = 0; i < len; i++) {
		unsigned long c = (unsigned char)s[i];

		hash = (hash + (c << 4) + (c >> 4)) * 11;
	}
	hash = (hash * 0x61C8864680B583EBull) >> 32;	/* end_name_hash */
	hash &= 0x7fffffffU;
	if (hash < 2)
		hash += 2;
	if (hash >= 0x7fffffff)
		hash = 0x7fffffff - 1;
	return hash;
}

/* The child of dir called "mdev_type" (a symlink), by the directory's own
 * rbtree order: hash, then namespace (none), then name. */
static __always_inline struct kernfs_node *find_mdev_type_link(char *scratch,
							       struct kernfs_node *dir)
{
	const __u32 want = kernfs_hash_of("mdev_type", 9);
	__u32 rb_off = bpf_core_field_offset(struct kernfs_node, rb);
	struct rb_node *node = BPF_CORE_READ(dir, dir.children.rb_node);

	for (int depth = 0; depth < 32 && node; depth++) {
		struct kernfs_node *kn = (void *)node - rb_off;
		__u32 h = BPF_CORE_READ(kn, hash);

		if (want < h) {
			node = BPF_CORE_READ(node, rb_left);
		} else if (want > h) {
			node = BPF_CORE_READ(node, rb_right);
		} else if (BPF_CORE_READ(kn, ns)) {
			node = BPF_CORE_READ(node, rb_left);	/* NULL sorts first */
		} else if (kname_is(scratch, BPF_CORE_READ(kn, name), "mdev_type", 9)) {
			return kn;
		} else {
			return NULL;	/* same hash, other name: not an mdev dir */
		}
	}
	return NULL;
}

/*
 * Where an attribute sits: MDEVVER_F_SCOPE_TYPE (in a type directory),
 * MDEVVER_F_SCOPE_DEVICE (in a directory with an mdev_type link; *link is
 * that link) or 0 (no mdev layout).  The policy (judge_node) and the
 * tracer (watched_scope, capture.bpf.h) both ask this, and nothing else.
 */
static __always_inline __u32 mdev_place(char *scratch, struct kernfs_node *kn,
					struct kernfs_node **link)
{
	struct kernfs_node *dir = kn_parent(kn), *gp;

	*link = NULL;
	if (!dir)
		return 0;
	gp = kn_parent(dir);
	if (!gp)
		return 0;
	if (kname_is(scratch, BPF_CORE_READ(gp, name), "mdev_supported_types", 20))
		return MDEVVER_F_SCOPE_TYPE;
	*link = find_mdev_type_link(scratch, dir);
	return *link ? MDEVVER_F_SCOPE_DEVICE : 0;
}

#endif /* MDEVVER_SCOPE_BPF_H */
