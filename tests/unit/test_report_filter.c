/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* test_report_filter.c - report's --since/--until/--host, the same for logs
 * and report --db. */
#include <string.h>

#include "report_filter.h"
#include "unit.h"

static void rec(struct report_record *r, const char *host, const char *time)
{
	memset(r, 0, sizeof(*r));
	r->host = (struct bstr){ host, strlen(host) };
	ASSERT_EQ(0, report_normalize_time(time, strlen(time), r->time), "fixture time");
}

static void test_time_arguments(void)
{
	char t[REPORT_TIME_LEN + 1];

	ASSERT_EQ(0, report_filter_time("2026-11-23", t), "a date");
	ASSERT_STREQ("2026-11-23T00:00:00.000000000Z", t, "a date is its midnight UTC");
	ASSERT_EQ(0, report_filter_time("2026-11-23T21:17:07.5Z", t), "a fraction");
	ASSERT_STREQ("2026-11-23T21:17:07.500000000Z", t, "padded to 9 digits");
	ASSERT_EQ(-1, report_filter_time("yesterday", t), "not a time");
	ASSERT_EQ(-1, report_filter_time("2026-11-23T21:17:07+01:00", t), "UTC only");
	ASSERT_EQ(-1, report_filter_time("2026-11-2x", t), "a date of 10 characters, not digits");
	ASSERT_EQ(-1, report_filter_time("", t), "empty");
}

static void test_range_and_hosts(void)
{
	struct report_filter f;
	struct report_record a, b;

	rec(&a, "hostA", "2026-11-23T21:17:07Z");
	rec(&b, "hostB", "2026-11-23T21:17:08.000000001Z");

	memset(&f, 0, sizeof(f));
	ASSERT_TRUE(!report_filter_active(&f), "an empty filter restricts nothing");
	ASSERT_TRUE(report_filter_match(NULL, &a), "no filter keeps everything");
	ASSERT_TRUE(report_filter_match(&f, &a), "an empty filter keeps everything");
	report_filter_time("2026-11-23T21:17:07Z", f.since);
	report_filter_time("2026-11-23T21:17:08Z", f.until);
	ASSERT_TRUE(report_filter_active(&f), "a range restricts");
	ASSERT_TRUE(report_filter_match(&f, &a), "since is inclusive");
	ASSERT_TRUE(!report_filter_match(&f, &b), "until is exclusive, to the nanosecond");
	f.until[0] = '\0';
	ASSERT_TRUE(report_filter_match(&f, &b), "since alone");
	f.hosts[f.n_hosts++] = "hostB";
	ASSERT_TRUE(!report_filter_match(&f, &a), "another host");
	ASSERT_TRUE(report_filter_match(&f, &b), "the host");
	f.hosts[f.n_hosts++] = "hostA";
	ASSERT_TRUE(report_filter_match(&f, &a), "either host");
	f.hosts[0] = "host";
	f.n_hosts = 1;
	ASSERT_TRUE(!report_filter_match(&f, &a), "a prefix is not the host");
}

int main(void)
{
	RUN_TEST(test_time_arguments);
	RUN_TEST(test_range_and_hosts);
	return unit_exit();
}
