// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * record.c - the names and clocks every record uses (record.h).  Kept apart
 * from the conversions so a sink or a test can name things without linking
 * the kernel-event code.
 */
#include <stdio.h>
#include <time.h>

#include "mdevver_enforce.h"
#include "record.h"

const char *record_kind_name(enum record_kind k)
{
	static const char *const names[RECORD_KINDS] = {
		[RECORD_START] = "start",
		[RECORD_CHECK] = "check",
		[RECORD_READ] = "read",
		[RECORD_LOST] = "lost",
		[RECORD_ENFORCE] = "enforce",
		[RECORD_END] = "end",
		[RECORD_LIFECYCLE] = "lifecycle",
		[RECORD_MIGRATION] = "migration",
	};

	return (unsigned int)k < RECORD_KINDS ? names[k] : "unknown";
}

const char *mode_name(int mode)
{
	switch (mode) {
	case MDEVVER_MODE_FENTRY:
		return "fentry";
	case MDEVVER_MODE_KPROBE:
		return "kprobe";
	case MDEVVER_MODE_SYSCALL:
		return "syscall";
	case MDEVVER_MODE_LSM:
		return "lsm";
	default:
		return "unknown";
	}
}

const char *record_scope_name(uint32_t event_flags)
{
	if (event_flags & MDEVVER_F_SCOPE_TYPE)
		return "mdev-type";
	if (event_flags & MDEVVER_F_SCOPE_DEVICE)
		return "mdev-device";
	if (event_flags & MDEVVER_F_SCOPE_OTHER)
		return "other";
	return NULL;
}

/*
 * wall = monotonic + offset: one offset taken at start, not a
 * CLOCK_REALTIME reading per record, so records keep the exact order of
 * their ts_ns even when the wall clock is stepped.
 */
void record_set_time(struct record *r, const struct record_ctx *ctx, uint64_t ts_ns)
{
	r->ts_ns = ts_ns;
	r->wall_ns = (int64_t)ts_ns + (ctx ? ctx->realtime_offset_ns : 0);
}

uint64_t record_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int64_t record_realtime_offset_ns(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return ((int64_t)rt.tv_sec - mono.tv_sec) * 1000000000ll +
	       (rt.tv_nsec - mono.tv_nsec);
}

const char *record_rule_label(const struct record_ctx *ctx, unsigned int gen,
			      unsigned int rule_id)
{
	/* valid until the next call, as record.h promises */
	static _Thread_local char buf[16];
	const char *name;

	if (rule_id == MDEVVER_RULE_NONE)
		return "(none: failed closed)";
	name = ctx->rule_name ? ctx->rule_name(ctx->rule_ctx, gen, rule_id) : NULL;
	if (name)
		return name;
	snprintf(buf, sizeof(buf), "#%u", rule_id + 1);
	return buf;
}
