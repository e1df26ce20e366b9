/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report_sources.h - the operator's question, "a VM on hostA/type: where
 * can it go?", answered from the logs.  A source device is a host/mdev_type
 * that read a version string (a read with outcome ok); the VM carries that
 * string.  Its answer for each target (every host/mdev_type the logs saw)
 * is the latest check of any of its strings there: compatible, another
 * outcome, or never checked.  Devices that read exactly the same strings
 * get the same answer, so they are one group (a fleet of one GPU model is
 * a handful of groups, not hundreds of sources).
 */
#ifndef MDEVVER_REPORT_SOURCES_H
#define MDEVVER_REPORT_SOURCES_H

#include <stddef.h>

#include "report_model.h"

/* One target's answer for one group. */
struct src_answer {
	struct oc_counts c;	/* checks of the group's strings on it; latest */
	size_t latest_row;	/* matrix row of the latest check's string */
};

struct src_group {
	size_t *devs, n_devs;	/* indices into devs: the devices of the group */
	size_t *rows, n_rows;	/* matrix rows of its strings that were checked */
	size_t n_strings;	/* strings it read, checked or not */
	/* over every target: the latest answer compatible, other, none */
	size_t n_compatible, n_other, n_never;
	const char *latest;	/* time of its latest check anywhere; NULL: none */
};

#define SRC_NO_GROUP ((size_t)-1)

struct report_sources {
	const struct tally_entry *const *devs;	/* (host, mdev_type), sorted */
	size_t n_devs;
	size_t *group_of;	/* per device: its group, SRC_NO_GROUP if it read none */
	struct src_group *groups;
	size_t n_groups;
	struct bstr *types;	/* the distinct mdev types of devs, sorted */
	size_t n_types;
	size_t *host_first;	/* index in devs of each host's first device */
	size_t n_hosts;
};

/* 0, or -1 when out of memory.  Valid while mx and the model are. */
int report_sources_build(struct report_model *m, const struct report_matrix *mx,
			 struct report_sources *s);
void report_sources_free(struct report_sources *s);

/* Group g's answer for every target, into out[0..n_devs). */
void report_sources_answer(const struct report_sources *s, const struct report_matrix *mx,
			   size_t g, struct src_answer *out);

/* Index of device host/type in devs, or SRC_NO_GROUP. */
size_t report_sources_find(const struct report_sources *s, struct bstr host,
			   struct bstr type);

/* A target's class: 1 compatible, 0 another outcome, -1 never checked. */
static inline int src_answer_class(const struct src_answer *a)
{
	if (!a->c.latest_time)
		return -1;
	return a->c.latest_oc == OC_COMPATIBLE;
}

/*
 * The targets of one answer in the report's order: those whose class is
 * cls, latest check first (then by name); never checked ones by name,
 * those of mdev type `mine` (the source's own) first: a VM mostly moves to
 * its own type, so those are the gaps that matter.  Indices into devs,
 * into order (n_devs entries); returns how many, *n_mine of them of type
 * mine (when n_mine is not NULL).
 */
size_t report_sources_order(const struct report_sources *s, const struct src_answer *a,
			    int cls, struct bstr mine, size_t *order, size_t *n_mine);

#endif
