// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests for user/report/report_identity.c: duplicates and gaps. */
#include "report_identity.h"
#include "unit.h"

static const uint8_t H1[16] = { 1 }, H2[16] = { 2 }, B[16] = { 0xb0 },
		     R1[16] = { 0x11, 0x22, 0x33, 0x44 }, R2[16] = { 0x55 };

static int add(struct report_ids *ids, const uint8_t *h, const uint8_t *r, uint64_t seq,
	       bool end, const char *host)
{
	return report_ids_add(ids, true, h, B, r, seq, end, (struct bstr){ host, strlen(host) },
			      true);
}

static void test_duplicates_and_gaps(void)
{
	struct report_ids ids = { 0 };
	char *s;

	/* run 1 of hostB: 1..20 but 4, 7, 8, 9, 15; its end record is 20 */
	for (uint64_t q = 1; q <= 20; q++)
		if (q != 4 && !(q >= 7 && q <= 9) && q != 15)
			ASSERT_EQ(0, add(&ids, H2, R1, q, q == 20, "hostB"), "new");
	/* the same records again: every one a duplicate */
	ASSERT_EQ(1, add(&ids, H2, R1, 20, true, "hostB"), "duplicate end");
	ASSERT_EQ(1, add(&ids, H2, R1, 1, false, "hostB"), "duplicate start");
	/* run 2 of hostA, no end record: 1..3, complete */
	for (uint64_t q = 1; q <= 3; q++)
		ASSERT_EQ(0, add(&ids, H1, R2, q, false, "hostA"), "run 2");
	/* the same seq in another run is not a duplicate */
	ASSERT_EQ(0, add(&ids, H2, R2, 1, false, "hostB"), "other run, same seq");
	ASSERT_EQ(0, report_ids_add(&ids, false, NULL, NULL, NULL, 0, false,
				    (struct bstr){ "x", 1 }, true), "unidentified");
	ASSERT_EQ(0, report_ids_add(&ids, false, NULL, NULL, NULL, 0, false,
				    (struct bstr){ "x", 1 }, false), "a dropped record");
	ASSERT_EQ(0, report_ids_finish(&ids), "finish");
	ASSERT_EQ(15 + 3 + 1, ids.identified, "identified");
	ASSERT_EQ(2, ids.duplicates, "duplicates");
	ASSERT_EQ(1, ids.unidentified, "unidentified (not the dropped one)");
	ASSERT_EQ(5, ids.missing, "missing");
	ASSERT_EQ(1, ids.runs_with_gaps, "one run with gaps");
	ASSERT_EQ(3, ids.n_runs, "three runs");
	/* sorted by host name: hostA's run first, then hostB's two */
	ASSERT_STREQ("hostA", ids.runs[0].host, "first host");
	ASSERT_EQ(1, report_ids_host_end(&ids, 0), "hostA: one run");
	ASSERT_EQ(2, report_ids_host_end(&ids, 1) - 1, "hostB: two runs");
	ASSERT_EQ(5, ids.runs[1].missing + ids.runs[2].missing, "hostB's gaps");
	for (size_t i = 1; i < 3; i++) {
		if (!ids.runs[i].missing)
			continue;
		s = report_ids_gap_list(&ids.runs[i], 8);
		ASSERT_STREQ("4, 7-9, 15", s, "ranges");
		free(s);
		s = report_ids_gap_list(&ids.runs[i], 1);
		ASSERT_STREQ("4 and 2 more ranges", s, "at most one named");
		free(s);
		ASSERT_EQ(20, ids.runs[i].end_seq, "end seq");
	}
	s = report_ids_summary(&ids);
	ASSERT_STREQ("19 records in 3 runs, 2 duplicates dropped, 5 missing, 1 unidentified", s,
		     "summary");
	free(s);
	{
		char sh[9];

		report_ids_short(R1, sh);
		ASSERT_STREQ("11223344", sh, "short id");
	}
	report_ids_free(&ids);
	s = report_ids_summary(&ids);
	ASSERT_STREQ("none (logs from before identity): duplicates and gaps unknown", s,
		     "no identity at all");
	free(s);
}

/* Many seqs (the hash set grows many times) of one run, each twice. */
static void test_many(void)
{
	struct report_ids ids = { 0 };
	int dups = 0;

	for (uint64_t q = 100000; q >= 1; q--)
		ASSERT_EQ(0, add(&ids, H1, R1, q, q == 100000, "h"), "new");
	for (uint64_t q = 1; q <= 100000; q += 3)
		dups += add(&ids, H1, R1, q, false, "h");
	ASSERT_EQ(33334, dups, "every third seen again");
	ASSERT_EQ(0, report_ids_finish(&ids), "finish");
	ASSERT_EQ(0, ids.missing, "nothing missing");
	ASSERT_EQ(100000, ids.identified, "identified");
	report_ids_free(&ids);
}

int main(void)
{
	RUN_TEST(test_duplicates_and_gaps);
	RUN_TEST(test_many);
	return unit_exit();
}
