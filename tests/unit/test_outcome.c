/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* test_outcome.c - classifying return values, errno names. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>

#include "../include/mdevver_trace.h"
#include "outcome.h"
#include "unit.h"

#define CHECK	MDEVVER_OP_CHECK
#define READ	MDEVVER_OP_READ

static void test_check_compatible(void)
{
	ASSERT_EQ(OUTCOME_COMPATIBLE, outcome_classify(CHECK, 29, 29),
		  "ret == count");
	ASSERT_EQ(OUTCOME_COMPATIBLE, outcome_classify(CHECK, 4096, 4096),
		  "a full page");
	/* sysfs_kf_write returns 0 for an empty write without calling the
	 * store: by the rule ret == count it still counts as compatible */
	ASSERT_EQ(OUTCOME_COMPATIBLE, outcome_classify(CHECK, 0, 0),
		  "count 0, ret 0");
	ASSERT_EQ(OUTCOME_COMPATIBLE,
		  outcome_classify(CHECK, INT64_MAX, (uint64_t)INT64_MAX),
		  "largest ret");
}

static void test_check_incompatible(void)
{
	ASSERT_EQ(OUTCOME_INCOMPATIBLE, outcome_classify(CHECK, -EINVAL, 29),
		  "EINVAL");
	ASSERT_EQ(OUTCOME_INCOMPATIBLE, outcome_classify(CHECK, -EPERM, 29),
		  "EPERM (vendor's choice)");
	ASSERT_EQ(OUTCOME_INCOMPATIBLE, outcome_classify(CHECK, -E2BIG, 29),
		  "E2BIG");
	ASSERT_EQ(OUTCOME_INCOMPATIBLE, outcome_classify(CHECK, -4095, 29),
		  "unknown errno 4095");
	ASSERT_EQ(OUTCOME_INCOMPATIBLE, outcome_classify(CHECK, -EINVAL, 0),
		  "EINVAL with count 0");
	ASSERT_EQ(OUTCOME_INCOMPATIBLE, outcome_classify(CHECK, INT64_MIN, 29),
		  "INT64_MIN");
	/* -1 as unsigned is UINT64_MAX: must not look like ret == count */
	ASSERT_EQ(OUTCOME_INCOMPATIBLE,
		  outcome_classify(CHECK, -1, UINT64_MAX), "-1 vs UINT64_MAX");
	ASSERT_EQ(OUTCOME_INCOMPATIBLE,
		  outcome_classify(CHECK, -EINVAL, (uint64_t)-EINVAL),
		  "-EINVAL vs the same bits as count");
}

static void test_check_unsupported(void)
{
	ASSERT_EQ(OUTCOME_UNSUPPORTED, outcome_classify(CHECK, -ENODEV, 29),
		  "ENODEV");
	ASSERT_EQ(OUTCOME_UNSUPPORTED, outcome_classify(CHECK, -ENODEV, 0),
		  "ENODEV with count 0");
	ASSERT_EQ(OUTCOME_COMPATIBLE, outcome_classify(CHECK, ENODEV, ENODEV),
		  "+ENODEV is a byte count, not an errno");
}

static void test_check_partial(void)
{
	ASSERT_EQ(OUTCOME_PARTIAL, outcome_classify(CHECK, 0, 29), "ret 0");
	ASSERT_EQ(OUTCOME_PARTIAL, outcome_classify(CHECK, 28, 29), "one short");
	ASSERT_EQ(OUTCOME_PARTIAL, outcome_classify(CHECK, 30, 29),
		  "more than written");
	ASSERT_EQ(OUTCOME_PARTIAL, outcome_classify(CHECK, 1, 0),
		  "ret 1, count 0");
	ASSERT_EQ(OUTCOME_PARTIAL, outcome_classify(CHECK, ENODEV, 29),
		  "ret 19 of 29");
}

static void test_read(void)
{
	ASSERT_EQ(OUTCOME_OK, outcome_classify(READ, 29, 29), "a string");
	ASSERT_EQ(OUTCOME_OK, outcome_classify(READ, 0, 0), "empty read");
	ASSERT_EQ(OUTCOME_OK, outcome_classify(READ, 5, 29),
		  "count does not matter");
	ASSERT_EQ(OUTCOME_UNSUPPORTED, outcome_classify(READ, -ENODEV, 0),
		  "ENODEV");
	ASSERT_EQ(OUTCOME_UNSUPPORTED, outcome_classify(READ, -EINVAL, 0),
		  "any errno: no migration");
	ASSERT_EQ(OUTCOME_UNSUPPORTED, outcome_classify(READ, -EIO, 0), "EIO");
	ASSERT_EQ(OUTCOME_UNSUPPORTED, outcome_classify(READ, INT64_MIN, 0),
		  "INT64_MIN");
}

static void test_unknown_op(void)
{
	ASSERT_EQ(OUTCOME_OK, outcome_classify(0, 29, 29), "op 0, ret >= 0");
	ASSERT_EQ(OUTCOME_UNSUPPORTED, outcome_classify(3, -EINVAL, 29),
		  "op 3, errno");
	ASSERT_EQ(OUTCOME_OK, outcome_classify(-1, 0, 29), "op -1");
}

static void test_names(void)
{
	ASSERT_STREQ("compatible", outcome_name(OUTCOME_COMPATIBLE), "compatible");
	ASSERT_STREQ("incompatible", outcome_name(OUTCOME_INCOMPATIBLE),
		     "incompatible");
	ASSERT_STREQ("unsupported", outcome_name(OUTCOME_UNSUPPORTED),
		     "unsupported");
	ASSERT_STREQ("partial", outcome_name(OUTCOME_PARTIAL), "partial");
	ASSERT_STREQ("ok", outcome_name(OUTCOME_OK), "ok");
	ASSERT_STREQ("unknown", outcome_name((enum mdevver_outcome)99),
		     "out of range");
}

static void test_is_success(void)
{
	ASSERT_EQ(1, outcome_is_success(OUTCOME_COMPATIBLE), "compatible");
	ASSERT_EQ(1, outcome_is_success(OUTCOME_OK), "ok");
	ASSERT_EQ(0, outcome_is_success(OUTCOME_INCOMPATIBLE), "incompatible");
	ASSERT_EQ(0, outcome_is_success(OUTCOME_UNSUPPORTED), "unsupported");
	ASSERT_EQ(0, outcome_is_success(OUTCOME_PARTIAL), "partial");
	ASSERT_EQ(0, outcome_is_success((enum mdevver_outcome)99), "out of range");
}

static void test_errno_known(void)
{
	ASSERT_STREQ("EINVAL", outcome_errno_name(-EINVAL), "EINVAL");
	ASSERT_STREQ("ENODEV", outcome_errno_name(-ENODEV), "ENODEV");
	ASSERT_STREQ("EPERM", outcome_errno_name(-EPERM), "EPERM");
	ASSERT_STREQ("E2BIG", outcome_errno_name(-E2BIG), "E2BIG");
	ASSERT_STREQ("EFAULT", outcome_errno_name(-EFAULT), "EFAULT");
	ASSERT_STREQ("EOPNOTSUPP", outcome_errno_name(-EOPNOTSUPP), "EOPNOTSUPP");
}

static void test_errno_none(void)
{
	ASSERT_TRUE(outcome_errno_name(0) == NULL, "0 is no errno");
	ASSERT_TRUE(outcome_errno_name(29) == NULL, "a byte count");
	ASSERT_TRUE(outcome_errno_name(INT64_MAX) == NULL, "INT64_MAX");
}

static void test_errno_unknown(void)
{
	ASSERT_STREQ("E4095", outcome_errno_name(-4095), "MAX_ERRNO");
	/* kernel-internal errnos that user space has no name for */
	ASSERT_STREQ("E524", outcome_errno_name(-524), "ENOTSUPP (kernel)");
	ASSERT_STREQ("E512", outcome_errno_name(-512), "ERESTARTSYS (kernel)");
	ASSERT_STREQ("E2147483647", outcome_errno_name(-(int64_t)INT_MAX),
		     "INT_MAX");
	ASSERT_STREQ("E2147483648", outcome_errno_name(-(int64_t)INT_MAX - 1),
		     "beyond int");
	ASSERT_STREQ("E9223372036854775808", outcome_errno_name(INT64_MIN),
		     "INT64_MIN");
}

static void test_errno_buffers_rotate(void)
{
	const char *a = outcome_errno_name(-4095);
	const char *b = outcome_errno_name(-4094);
	const char *c = outcome_errno_name(-4093);
	const char *d = outcome_errno_name(-4092);
	const char *known = outcome_errno_name(-EINVAL);

	/* known names do not use up a buffer */
	ASSERT_STREQ("EINVAL", known, "known name");
	ASSERT_STREQ("E4095", a, "first of four still valid");
	ASSERT_STREQ("E4094", b, "second of four");
	ASSERT_STREQ("E4093", c, "third of four");
	ASSERT_STREQ("E4092", d, "fourth of four");
}

static void *other_thread(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 10; i++)
		outcome_errno_name(-1000 - i);
	return (void *)outcome_errno_name(-3000);
}

static void test_errno_thread_local(void)
{
	const char *mine = outcome_errno_name(-4095);
	pthread_t t;
	void *theirs;

	ASSERT_EQ(0, pthread_create(&t, NULL, other_thread, NULL),
		  "pthread_create");
	ASSERT_EQ(0, pthread_join(t, &theirs), "pthread_join");
	ASSERT_STREQ("E4095", mine, "untouched by another thread");
	ASSERT_TRUE((const char *)theirs != mine, "another thread's buffer");
}

int main(void)
{
	RUN_TEST(test_check_compatible);
	RUN_TEST(test_check_incompatible);
	RUN_TEST(test_check_unsupported);
	RUN_TEST(test_check_partial);
	RUN_TEST(test_read);
	RUN_TEST(test_unknown_op);
	RUN_TEST(test_names);
	RUN_TEST(test_is_success);
	RUN_TEST(test_errno_known);
	RUN_TEST(test_errno_none);
	RUN_TEST(test_errno_unknown);
	RUN_TEST(test_errno_buffers_rotate);
	RUN_TEST(test_errno_thread_local);
	return unit_exit();
}
