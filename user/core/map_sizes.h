/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * map_sizes.h - the maps a configuration never touches are made with one
 * entry (map_sizes.c says why and how that is known).
 */
#ifndef MDEVVER_MAP_SIZES_H
#define MDEVVER_MAP_SIZES_H

#include <stdbool.h>

struct mdevver_trace_bpf;

/* What the loaded programs will use.  policy: an enforcer or its dry run,
 * or syscall mode, whose exits name the matcher in any case (the policy's
 * maps); lifecycle: the mdev/VFIO lifecycle programs are loaded. */
struct map_use {
	bool policy;
	bool lifecycle;
};

/* Between open and load: one entry for each map use says is unused. */
void map_sizes_trim(struct mdevver_trace_bpf *skel, const struct map_use *use);

#endif
