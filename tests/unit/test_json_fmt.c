// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests for user/record/json_fmt.c: byte-exact lines of every kind. */
#include "json_fmt.h"
#include "rec_fixture.h"
#include "unit.h"

static struct strbuf b;

static const char *fmt(const struct record *r)
{
	sb_reset(&b);
	json_fmt_record(&b, r);
	sb_putc(&b, '\0');
	return b.p;
}

static void test_check(void)
{
	struct record r;

	fix_check(&r);
	ASSERT_STREQ(FIX_CHECK_JSON("1"), fmt(&r), "check, count 1");
	r.ev.count = 500;
	ASSERT_STREQ(FIX_CHECK_JSON("500"), fmt(&r), "check, count 500");
	r.ev.count = 0;		/* a record without a count stands for one call */
	ASSERT_STREQ(FIX_CHECK_JSON("1"), fmt(&r), "count 0 written as 1");
	/* scope, when known, right after device */
	r.ev.scope = "mdev-type";
	ASSERT_TRUE(strstr(fmt(&r), "\"device\":null,\"scope\":\"mdev-type\",\"bytes\":") != NULL,
		    "scope after device");
}

static void test_bytes_and_vendor(void)
{
	struct record r;

	fix_check(&r);
	r.kind = RECORD_READ;
	r.ev.comm = (struct bytes){ "a\"\x01", 3 };
	r.ev.node.mdev_type = (struct bytes){ NULL, 0 };
	r.ev.node.device = fix_b("uuid");
	r.ev.data = (struct bytes){ "\0\xff\x7f", 3 };
	r.ev.len = 5000;
	r.ev.truncated = true;
	r.ev.ret = -4095;
	r.ev.errno_name = "E4095";
	r.ev.outcome = "unsupported";
	r.ev.has_local = true;
	r.ev.local = (struct bytes){ "ab\0", 3 };
	r.ev.has_vendor_check = true;
	r.ev.vendor_check_ret = -19;
	r.ev.vendor_remote_len = 29;
	ASSERT_STREQ("{\"schema\":1,\"event\":\"read\",\"time\":\"" FIX_TIME "\",\"ts_ns\":8261702350,"
		     "\"host\":\"vm\",\"mode\":\"fentry\",\"pid\":126,\"tid\":126,\"ppid\":1,\"uid\":0,\"gid\":0,"
		     "\"comm\":\"a\\\"\\u0001\",\"cgroup_id\":1,\"path\":\"/sys/devices/mdevsim/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_8/version\","
		     "\"path_truncated\":false,\"attr\":\"version\",\"parent\":\"0000:00:02.0\",\"mdev_type\":null,"
		     "\"device\":\"uuid\",\"bytes\":\"\\u0000\\u00ff\\u007f\",\"len\":5000,\"captured\":3,\"truncated\":true,"
		     "\"unreadable\":false,\"ret\":-4095,\"errno\":4095,\"errno_name\":\"E4095\",\"outcome\":\"unsupported\","
		     "\"count\":1,\"latency_ns\":579790,\"decoded\":{\"format\":\"opaque\",\"newline\":false},"
		     "\"vendor\":{\"local\":\"ab\\u0000\",\"local_truncated\":false,\"check_ret\":-19,\"remote_len\":29,"
		     "\"check_errno_name\":\"ENODEV\"}}\n", fmt(&r), "read with NUL/0xff bytes and vendor");
}

static void test_verdicts(void)
{
	struct record r;
	const char *s;

	fix_check(&r);
	r.ev.mode = "lsm";
	r.ev.ret = -1;
	r.ev.errno_name = "EPERM";
	r.ev.outcome = "denied";
	r.ev.verdict = "denied";
	r.ev.rule = "gvt-bug-1234";
	r.ev.fail_closed = 1u << 0 | 1u << 2;
	s = fmt(&r);
	ASSERT_TRUE(strstr(s, ",\"outcome\":\"denied\",\"count\":1,\"verdict\":\"denied\",\"rule\":\"gvt-bug-1234\","
			   "\"action\":\"deny\",\"fail_closed\":[\"remote-no-user-buffer\",\"local-not-learned\"],"
			   "\"latency_ns\":") != NULL, "denied: rule, action, fail_closed, no driver_outcome");
	r.ev.verdict = "audit";
	r.ev.rule = "#8";
	r.ev.outcome = "compatible";
	r.ev.driver_outcome = "compatible";
	r.ev.fail_closed = 0;
	s = fmt(&r);
	ASSERT_TRUE(strstr(s, "\"verdict\":\"audit\",\"rule\":\"#8\",\"action\":\"audit\","
			   "\"driver_outcome\":\"compatible\",\"fail_closed\":[],") != NULL, "audit by #8");
	r.ev.verdict = "denied";
	r.ev.driver_outcome = NULL;
	r.ev.rule = "(none: failed closed)";
	r.ev.fail_closed = 1u << 5;
	s = fmt(&r);
	ASSERT_TRUE(strstr(s, "\"rule\":\"(none: failed closed)\",\"action\":\"deny\","
			   "\"fail_closed\":[\"no-judgement-slot\"]") != NULL, "failed closed");
}

static void test_other_kinds(void)
{
	struct record r;
#define HEAD(kind) "{\"schema\":1,\"event\":\"" kind "\",\"time\":\"" FIX_TIME "\",\"ts_ns\":8261702350,\"host\":\"vm\""

	memset(&r, 0, sizeof(r));
	r.ts_ns = FIX_TS;
	r.wall_ns = (int64_t)FIX_TS + FIX_OFFSET;
	r.host = "vm";
	r.kind = RECORD_START;
	r.start.mode = "fentry";
	r.start.attempts = "";
	r.start.vendor_check = true;
	ASSERT_STREQ(HEAD("start") ",\"mode\":\"fentry\",\"attempts\":\"\",\"vendor_get_version\":false,"
		     "\"vendor_check\":true}\n", fmt(&r), "start");
	r.kind = RECORD_LOST;
	r.lost.lost = 5;
	r.lost.lost_checks = 3;
	r.lost.lost_reads = 2;
	r.lost.total_lost = 10;
	r.lost.total_untracked = 1;
	ASSERT_STREQ(HEAD("lost") ",\"lost\":5,\"total_lost\":10,\"total_untracked\":1,"
		     "\"lost_checks\":3,\"lost_reads\":2}\n", fmt(&r), "lost");
	r.kind = RECORD_ENFORCE;
	memset(&r.enforce, 0, sizeof(r.enforce));
	r.enforce.state = "on";
	r.enforce.policy = "/etc/p";
	r.enforce.rules = 2;
	r.enforce.generation = 1;
	ASSERT_STREQ(HEAD("enforce") ",\"state\":\"on\",\"policy\":\"/etc/p\",\"rules\":2,\"generation\":1}\n",
		     fmt(&r), "enforce");
	r.enforce.error = "bad \"file\"";
	ASSERT_STREQ(HEAD("enforce") ",\"state\":\"on\",\"policy\":\"/etc/p\",\"error\":\"bad \\\"file\\\"\"}\n",
		     fmt(&r), "enforce error");
	r.kind = RECORD_END;
	memset(&r.end, 0, sizeof(r.end));
	r.end.events = 7;
	r.end.checks = 600;
	r.end.reads = 2;
	r.end.lost_checks = 3;
	r.end.lost_reads = 4;
	r.end.total_lost = 7;
	r.end.strict_refused = 1;
	r.end.lifecycle = 9;
	r.end.lost_lifecycle = 2;
	ASSERT_STREQ(HEAD("end") ",\"events\":7,\"total_lost\":7,\"total_untracked\":0,\"checks\":600,"
		     "\"reads\":2,\"lost_checks\":3,\"lost_reads\":4,\"strict_refused\":1,\"kernel_missed\":0,"
		     "\"lifecycle\":9,\"lost_lifecycle\":2}\n", fmt(&r), "end");
}

static void test_time(void)
{
	char t[32];

	json_fmt_time(t, 0);
	ASSERT_STREQ("1970-01-01T00:00:00.000000000Z", t, "epoch");
	json_fmt_time(t, 1700000000123456789ll);
	ASSERT_STREQ("2023-11-14T22:13:20.123456789Z", t, "ns");
	json_fmt_time(t, 1700000000000000001ll);	/* same second, cached */
	ASSERT_STREQ("2023-11-14T22:13:20.000000001Z", t, "cached second");
}

int main(void)
{
	RUN_TEST(test_check);
	RUN_TEST(test_bytes_and_vendor);
	RUN_TEST(test_verdicts);
	RUN_TEST(test_other_kinds);
	RUN_TEST(test_time);
	sb_free(&b);
	return unit_exit();
}
