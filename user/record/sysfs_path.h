/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* sysfs_path.h - from the kernfs names BPF captured to a path and its parts. */
#ifndef MDEVVER_SYSFS_PATH_H
#define MDEVVER_SYSFS_PATH_H

#include <stddef.h>

/* Where an attribute lives, taken from its path alone. */
struct sysfs_attr_location {
	const char *attr;	/* the attribute's own name */
	const char *parent;	/* parent device (e.g. "0000:00:02.0") or NULL */
	const char *mdev_type;	/* type directory name, or NULL */
	const char *device;	/* mdev device directory (e.g. a UUID), or NULL */
};

/*
 * names[0] is the attribute, names[1] its directory, ... up to names[depth-1]
 * just below the sysfs root; each entry is NUL-terminated within name_max
 * bytes (a missing NUL is treated as end of buffer).  Writes "/sys/a/b/attr"
 * into out (truncated with "..." at the front is NOT done: if it does not
 * fit, out is cut and the function returns -1; 0 on success).  If
 * path_truncated, the path is written as "/sys/.../b/attr".
 */
int sysfs_path_join(char *out, size_t outsz, const char *names, size_t name_max,
		    unsigned int depth, int path_truncated);

/*
 * Interpret the components (same layout as above):
 *  - ".../<parent>/mdev_supported_types/<type>/<attr>": parent, type.
 *  - otherwise ".../<parent>/<device>/<attr>" (attribute of an mdev device):
 *    device = names[1], parent = names[2] (when depth allows), type NULL
 *    (the caller may resolve it through the device's mdev_type link).
 * Pointers point into names, so they are C strings only if those entries
 * hold a NUL (BPF's bpf_probe_read_kernel_str always writes one).  depth 0
 * gives all NULL; depth 1 only attr.
 */
void sysfs_attr_locate(const char *names, size_t name_max, unsigned int depth,
		       struct sysfs_attr_location *loc);

#endif
