/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ev_fixture.h - kernel events for the node cache / from_event tests. */
#ifndef MDEVVER_EV_FIXTURE_H
#define MDEVVER_EV_FIXTURE_H

#include <string.h>

#include "mdevver_trace.h"

/* names from the sysfs root down: stored attribute-first as BPF does */
static inline void ev_path(struct mdevver_event *e, const char *const *names, int n)
{
	memset(e->path, 0, sizeof(e->path));
	for (int i = 0; i < n; i++)
		strncpy(e->path[i], names[n - 1 - i], MDEVVER_NAME_MAX - 1);
	e->path_depth = (__u8)n;
}

static const char *const EV_TYPE_PATH[] = {
	"devices", "mdevsim", "0000:00:02.0", "mdev_supported_types", "i915-GVTg_V5_8", "version",
};
static const char *const EV_DEV_PATH[] = {
	"devices", "mdevsim", "0000:00:02.0", "4b7e2d3a", "migration_version",
};

static inline void ev_check(struct mdevver_event *e)
{
	memset(e, 0, sizeof(*e));
	e->kind = MDEVVER_REC_EVENT;
	e->op = MDEVVER_OP_CHECK;
	e->mode = MDEVVER_MODE_FENTRY;
	e->ts_ns = 8261702350ull;
	e->pid = e->tid = 126;
	e->ppid = 1;
	e->cgroup_id = 1;
	e->latency_ns = 579790;
	memcpy(e->comm, "sh", 3);
	ev_path(e, EV_TYPE_PATH, 6);
	e->node_id = 42;
	memcpy(e->data, "00028086-193b-i915-GVTg_V5_4\n", 29);
	e->data_len = 29;
	e->count = 29;
	e->ret = -22;
}

#endif
