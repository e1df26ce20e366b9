// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests for user/record/from_event.c: lengths checked, names given. */
#include <stddef.h>

#include "ev_fixture.h"
#include "json_fmt.h"
#include "mdevver_enforce.h"
#include "node_cache.h"
#include "unit.h"

static struct mdevver_event e;
static struct record_ctx ctx;

#define DATA_OFF offsetof(struct mdevver_event, data)
#define LOCAL_OFF offsetof(struct mdevver_event, local)

static void test_valid(void)
{
	struct record r;

	ev_check(&e);
	ASSERT_EQ(0, record_from_event(&r, &e, DATA_OFF + 29, 3, &ctx), "exact length accepted");
	ASSERT_EQ(RECORD_CHECK, r.kind, "check");
	ASSERT_EQ(3, r.ev.count, "count");
	ASSERT_STREQ("fentry", r.ev.mode, "mode");
	ASSERT_STREQ("incompatible", r.ev.outcome, "outcome");
	ASSERT_STREQ("EINVAL", r.ev.errno_name, "errno");
	ASSERT_EQ(29, r.ev.data.len, "data");
	ASSERT_EQ(2, r.ev.comm.len, "comm");
	ASSERT_TRUE(r.ev.verdict == NULL, "not judged");
	ASSERT_TRUE(!r.ev.has_local, "no local");
	ASSERT_EQ((int64_t)e.ts_ns + ctx.realtime_offset_ns, r.wall_ns, "wall time");
	ASSERT_EQ(0, record_from_event(&r, &e, sizeof(e), 0, &ctx), "count 0");
	ASSERT_EQ(1, r.ev.count, "count 0 means 1");
}

static void test_malformed(void)
{
	struct record r;

	ev_check(&e);
	ASSERT_EQ(-1, record_from_event(&r, &e, DATA_OFF - 1, 1, &ctx), "shorter than the header and path");
	ASSERT_EQ(-1, record_from_event(&r, &e, DATA_OFF + 28, 1, &ctx), "data_len past the record");
	e.data_len = MDEVVER_DATA_MAX + 1;
	ASSERT_EQ(-1, record_from_event(&r, &e, sizeof(e), 1, &ctx), "data_len past the array");
	ev_check(&e);
	e.kind = MDEVVER_REC_REPEAT;
	ASSERT_EQ(-1, record_from_event(&r, &e, sizeof(e), 1, &ctx), "not an event");
}

static void test_local(void)
{
	struct record r;

	ev_check(&e);
	e.flags = MDEVVER_F_LOCAL | MDEVVER_F_VENDOR_CHECK;
	memcpy(e.local, "abc", 3);
	e.local_len = 3;
	e.vendor_ret = -22;
	ASSERT_EQ(0, record_from_event(&r, &e, LOCAL_OFF + 2, 1, &ctx), "record ends inside local");
	ASSERT_TRUE(!r.ev.has_local, "local not read past the record");
	ASSERT_TRUE(r.ev.has_vendor_check, "vendor check still known");
	ASSERT_EQ(0, record_from_event(&r, &e, LOCAL_OFF + 3, 1, &ctx), "record holds local");
	ASSERT_TRUE(r.ev.has_local, "local present");
	ASSERT_MEMEQ("abc", r.ev.local.p, 3, "local bytes");
	e.flags = MDEVVER_F_VENDOR_CHECK;
	ASSERT_EQ(0, record_from_event(&r, &e, sizeof(e), 1, &ctx), "no F_LOCAL");
	ASSERT_TRUE(!r.ev.has_local, "local only with F_LOCAL");
}

/* a packed record (BPF's send_event): the string right after the data */
static void test_local_packed(void)
{
	struct record r;

	ev_check(&e);	/* data_len 29 */
	e.flags = MDEVVER_F_LOCAL | MDEVVER_F_LOCAL_PACKED;
	memcpy(e.data + 29, "xyz", 3);
	memcpy(e.local, "abc", 3);
	e.local_len = 3;
	ASSERT_EQ(0, record_from_event(&r, &e, DATA_OFF + 29 + 3, 1, &ctx), "packed record");
	ASSERT_TRUE(r.ev.has_local, "packed local present");
	ASSERT_MEMEQ("xyz", r.ev.local.p, 3, "local read after the data, not at local[]");
	ASSERT_EQ(29, r.ev.data.len, "data unchanged");
	ASSERT_EQ(0, record_from_event(&r, &e, DATA_OFF + 29 + 2, 1, &ctx), "record ends inside the string");
	ASSERT_TRUE(!r.ev.has_local, "packed local not read past the record");
	e.local_len = MDEVVER_LOCAL_MAX + 1;
	ASSERT_EQ(0, record_from_event(&r, &e, sizeof(e), 1, &ctx), "bad local_len");
	ASSERT_TRUE(!r.ev.has_local, "local_len past the array: no local");
}

/* the event's scope flag names where the attribute sits; no flag: unknown */
static void test_scope(void)
{
	static const struct {
		uint32_t flags;
		const char *want;
	} cases[] = {
		{ MDEVVER_F_SCOPE_TYPE, "mdev-type" },
		{ MDEVVER_F_SCOPE_DEVICE, "mdev-device" },
		{ MDEVVER_F_SCOPE_OTHER, "other" },
		{ MDEVVER_F_SCOPE_DEVICE | MDEVVER_F_DATA_TRUNCATED, "mdev-device" },
	};
	struct record r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ev_check(&e);
		e.flags = cases[i].flags;
		ASSERT_EQ(0, record_from_event(&r, &e, sizeof(e), 1, &ctx), "scope event");
		ASSERT_STREQ(cases[i].want, r.ev.scope, "scope name");
	}
	ev_check(&e);
	e.flags = 0;
	ASSERT_EQ(0, record_from_event(&r, &e, sizeof(e), 1, &ctx), "no scope flag");
	ASSERT_TRUE(r.ev.scope == NULL, "no scope flag: no scope");
}

static const char *rule_name(void *c, unsigned int gen, unsigned int id)
{
	(void)c;
	return gen == 1 && id == 3 ? "gvt-bug-1234" : NULL;
}

static void test_verdicts(void)
{
	struct record r;

	ev_check(&e);
	e.verdict = MDEVVER_VERDICT_DENIED;
	e.policy_gen = 1;
	e.rule_id = 3;
	e.ret = -1;
	e.fail_closed = MDEVVER_UNK_LOCAL;
	ASSERT_EQ(0, record_from_event(&r, &e, sizeof(e), 1, &ctx), "denied");
	ASSERT_STREQ("denied", r.ev.outcome, "outcome");
	ASSERT_STREQ("denied", r.ev.verdict, "verdict");
	ASSERT_STREQ("gvt-bug-1234", r.ev.rule, "rule name");
	ASSERT_TRUE(r.ev.driver_outcome == NULL, "the driver was not asked");
	ASSERT_EQ(MDEVVER_UNK_LOCAL, r.ev.fail_closed, "fail closed");
	e.verdict = MDEVVER_VERDICT_WOULD_DENY;
	e.rule_id = 6;
	e.ret = 29;
	ASSERT_EQ(0, record_from_event(&r, &e, sizeof(e), 1, &ctx), "would-deny");
	ASSERT_STREQ("would-deny", r.ev.outcome, "outcome");
	ASSERT_STREQ("#7", r.ev.rule, "unnamed rule");
	ASSERT_STREQ("compatible", r.ev.driver_outcome, "driver's answer");
	e.verdict = MDEVVER_VERDICT_KILLED;
	ASSERT_EQ(0, record_from_event(&r, &e, sizeof(e), 1, &ctx), "killed");
	ASSERT_STREQ("denied", r.ev.outcome, "killed is denied");
	e.verdict = MDEVVER_VERDICT_DENIED;
	e.rule_id = MDEVVER_RULE_NONE;
	ASSERT_EQ(0, record_from_event(&r, &e, sizeof(e), 1, &ctx), "no rule");
	ASSERT_STREQ("(none: failed closed)", r.ev.rule, "failed closed");
}

int main(void)
{
	static ssize_t (*const no_link)(const char *, char *, size_t) = NULL;

	ctx.host = "vm";
	ctx.realtime_offset_ns = 1000;
	ctx.nodes = node_cache_new(16);
	ctx.rule_name = rule_name;
	node_cache_set_readlink(ctx.nodes, no_link);
	RUN_TEST(test_valid);
	RUN_TEST(test_malformed);
	RUN_TEST(test_local);
	RUN_TEST(test_local_packed);
	RUN_TEST(test_verdicts);
	RUN_TEST(test_scope);
	node_cache_free(ctx.nodes);
	return unit_exit();
}
