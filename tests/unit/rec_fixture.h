/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* rec_fixture.h - records the pipeline's unit tests share. */
#ifndef MDEVVER_REC_FIXTURE_H
#define MDEVVER_REC_FIXTURE_H

#include <string.h>

#include "record.h"

#define FIX_OFFSET 1700000000000000000ll	/* realtime - monotonic */
#define FIX_TS 8261702350ull
#define FIX_TIME "2023-11-14T22:13:28.261702350Z"
#define FIX_REMOTE "00028086-193b-i915-GVTg_V5_4\n"

static inline struct bytes fix_b(const char *s)
{
	return (struct bytes){ s, strlen(s) };
}

/* An incompatible check on a type attribute, as the kernel reports it. */
static inline void fix_check(struct record *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = RECORD_CHECK;
	r->ts_ns = FIX_TS;
	r->wall_ns = (int64_t)FIX_TS + FIX_OFFSET;
	r->host = "vm";
	r->ev.count = 1;
	r->ev.mode = "fentry";
	r->ev.pid = r->ev.tid = 126;
	r->ev.ppid = 1;
	r->ev.comm = fix_b("sh");
	r->ev.cgroup_id = 1;
	r->ev.node.path = fix_b("/sys/devices/mdevsim/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_8/version");
	r->ev.node.attr = fix_b("version");
	r->ev.node.parent = fix_b("0000:00:02.0");
	r->ev.node.mdev_type = fix_b("i915-GVTg_V5_8");
	r->ev.data = fix_b(FIX_REMOTE);
	r->ev.len = 29;
	r->ev.ret = -22;
	r->ev.errno_name = "EINVAL";
	r->ev.outcome = "incompatible";
	r->ev.latency_ns = 579790;
}

#define FIX_CHECK_JSON(count) \
	"{\"schema\":1,\"event\":\"check\",\"time\":\"" FIX_TIME "\",\"ts_ns\":8261702350," \
	"\"host\":\"vm\",\"mode\":\"fentry\",\"pid\":126,\"tid\":126,\"ppid\":1,\"uid\":0,\"gid\":0," \
	"\"comm\":\"sh\",\"cgroup_id\":1,\"path\":\"/sys/devices/mdevsim/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_8/version\"," \
	"\"path_truncated\":false,\"attr\":\"version\",\"parent\":\"0000:00:02.0\",\"mdev_type\":\"i915-GVTg_V5_8\"," \
	"\"device\":null,\"bytes\":\"00028086-193b-i915-GVTg_V5_4\\n\",\"len\":29,\"captured\":29,\"truncated\":false," \
	"\"unreadable\":false,\"ret\":-22,\"errno\":22,\"errno_name\":\"EINVAL\",\"outcome\":\"incompatible\"," \
	"\"count\":" count ",\"latency_ns\":579790,\"decoded\":{\"format\":\"gvt-seed\",\"vendor\":32902,\"device_api\":\"pci\"," \
	"\"device\":6459,\"type\":\"i915-GVTg_V5_4\",\"newline\":true}}\n"

#endif
