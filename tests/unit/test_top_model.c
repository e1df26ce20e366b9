// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests for user/sinks/top_model.c: would-deny, enforcement from
 * verdicts, the tracer's filters applied to records, rule names. */
#include <stdlib.h>

#include "rec_fixture.h"
#include "top_model.h"
#include "unit.h"

static struct top_model *m;

static void fresh(void)
{
	top_model_init(m);
}

static void judged(struct record *r, const char *verdict, const char *outcome)
{
	fix_check(r);
	r->ev.verdict = verdict;
	r->ev.outcome = outcome;
	r->ev.rule = "gvt-bug-1234";
}

static void test_would_deny_not_other(void)
{
	struct record r;

	fresh();
	judged(&r, "would-deny", "would-deny");
	top_model_feed_record(m, &r);
	ASSERT_EQ(1, m->totals[TOP_WOULD_DENY], "would-deny counted");
	ASSERT_EQ(0, m->totals[TOP_OTHER], "not as other");
	ASSERT_STREQ("would-deny", top_outcome_label(TOP_WOULD_DENY), "label");
	ASSERT_STREQ("gvt-bug-1234", m->rows[0].last_rule, "row rule");
	ASSERT_STREQ("gvt-bug-1234", m->recent[0].rule, "recent rule");
}

static void test_enforcement_from_verdicts(void)
{
	struct record r;

	fresh();
	ASSERT_STREQ("off", m->enforcement, "off before anything");
	judged(&r, "audit", "incompatible");
	top_model_feed_record(m, &r);
	ASSERT_STREQ("on", m->enforcement, "audit: on");
	judged(&r, "would-deny", "would-deny");
	top_model_feed_record(m, &r);
	ASSERT_STREQ("dry-run", m->enforcement, "would-deny outranks audit");
	judged(&r, "denied", "denied");
	top_model_feed_record(m, &r);
	ASSERT_STREQ("on", m->enforcement, "denied outranks would-deny");
	judged(&r, "would-deny", "would-deny");
	top_model_feed_record(m, &r);
	ASSERT_STREQ("on", m->enforcement, "stays on");
	ASSERT_TRUE(m->enforcement_inferred > 0, "marked inferred");
	top_model_clear(m);
	ASSERT_STREQ("on", m->enforcement, "clear keeps it");

	fresh();
	memset(&r, 0, sizeof(r));
	r.kind = RECORD_ENFORCE;
	r.enforce.state = "dry-run";
	top_model_feed_record(m, &r);
	judged(&r, "denied", "denied");
	top_model_feed_record(m, &r);
	ASSERT_STREQ("dry-run", m->enforcement, "an enforce record is not overruled");
	ASSERT_EQ(0, m->enforcement_inferred, "not inferred");
}

static void test_filters(void)
{
	struct record r;

	fresh();
	m->filter.pid = 126;
	fix_check(&r);
	ASSERT_TRUE(top_filter_pass(&m->filter, &r), "-p 126 keeps pid 126");
	r.ev.pid = 127;
	ASSERT_TRUE(!top_filter_pass(&m->filter, &r), "-p 126 drops pid 127");
	top_model_feed_record(m, &r);
	ASSERT_EQ(1, m->filtered, "counted as left out");
	ASSERT_EQ(0, m->n_rows, "no row");

	fresh();
	m->filter.comm = "sh";
	fix_check(&r);
	ASSERT_TRUE(top_filter_pass(&m->filter, &r), "-c sh keeps sh");
	r.ev.comm = fix_b("shx");
	ASSERT_TRUE(!top_filter_pass(&m->filter, &r), "-c sh drops shx");
	r.ev.comm = fix_b("s");
	ASSERT_TRUE(!top_filter_pass(&m->filter, &r), "-c sh drops s");

	fresh();
	m->filter.failed_only = true;
	fix_check(&r);
	ASSERT_TRUE(top_filter_pass(&m->filter, &r), "-x keeps a refused check");
	r.ev.ret = 29;
	ASSERT_TRUE(!top_filter_pass(&m->filter, &r), "-x drops an accepted check");
	r.ev.ret = 3;
	ASSERT_TRUE(top_filter_pass(&m->filter, &r), "-x keeps a partial check");
	r.kind = RECORD_READ;
	ASSERT_TRUE(!top_filter_pass(&m->filter, &r), "-x drops a read that returned bytes");
	r.ev.ret = -5;
	ASSERT_TRUE(top_filter_pass(&m->filter, &r), "-x keeps a failed read");

	fresh();
	fix_check(&r);
	r.ev.scope = "other";
	ASSERT_TRUE(!top_filter_pass(&m->filter, &r), "scope other needs --any-sysfs");
	m->filter.any_sysfs = true;
	ASSERT_TRUE(top_filter_pass(&m->filter, &r), "--any-sysfs keeps it");
	top_model_clear(m);
	ASSERT_TRUE(m->filter.any_sysfs, "clear keeps the filter");
}

int main(void)
{
	m = calloc(1, sizeof(*m));
	if (!m)
		return 2;
	RUN_TEST(test_would_deny_not_other);
	RUN_TEST(test_enforcement_from_verdicts);
	RUN_TEST(test_filters);
	free(m);
	return unit_exit();
}
