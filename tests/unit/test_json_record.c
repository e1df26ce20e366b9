// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests for user/record/json_record.c: JSON -> record -> the same JSON. */
#include "json_fmt.h"
#include "json_record.h"
#include "rec_fixture.h"
#include "unit.h"

static struct json_record_parser *p;

/* fmt(r) parsed and formatted again must give the same bytes */
static int round_trip(const struct record *r, struct strbuf *a, struct strbuf *b)
{
	struct record back;

	sb_reset(a);
	sb_reset(b);
	json_fmt_record(a, r);
	if (json_record_parse(p, a->p, a->len, &back) != JSON_RECORD_OK)
		return -1;
	json_fmt_record(b, &back);
	return a->len == b->len && !memcmp(a->p, b->p, a->len) ? 0 : 1;
}

static void test_round_trip(void)
{
	struct strbuf a = { 0 }, b = { 0 };
	struct record r;
	int rc;

	fix_check(&r);
	r.ev.count = 500;
	rc = round_trip(&r, &a, &b);
	ASSERT_EQ(0, rc, "check");
	r.kind = RECORD_READ;
	r.ev.comm = (struct bytes){ "a\"\x01\xe9", 4 };
	r.ev.node.device = fix_b("uuid");
	r.ev.node.mdev_type = (struct bytes){ NULL, 0 };
	r.ev.data = (struct bytes){ "\0\xff\x80\xc3\n", 5 };
	r.ev.has_local = true;
	r.ev.local = (struct bytes){ "\xff\0", 2 };
	r.ev.has_vendor_check = true;
	r.ev.vendor_check_ret = -22;
	r.ev.vendor_remote_len = 3;
	rc = round_trip(&r, &a, &b);
	ASSERT_EQ(0, rc, "read with NUL, 0xff, 0x80 bytes, vendor");
	r.ev.verdict = "killed";
	r.ev.rule = "r\xe9gle";
	r.ev.driver_outcome = "ok";
	r.ev.fail_closed = 0x3f;
	rc = round_trip(&r, &a, &b);
	ASSERT_EQ(0, rc, "verdict, rule with a high byte, every fail_closed");
	memset(&r, 0, sizeof(r));
	r.kind = RECORD_LOST;
	r.host = "h";
	r.wall_ns = -1;		/* before the epoch */
	r.lost.lost = 3;
	r.lost.lost_checks = 1;
	r.lost.lost_reads = 2;
	rc = round_trip(&r, &a, &b);
	ASSERT_EQ(0, rc, "lost");
	r.kind = RECORD_END;
	r.end.checks = 9;
	r.end.strict_refused = 4;
	rc = round_trip(&r, &a, &b);
	ASSERT_EQ(0, rc, "end");
	/* the union still holds the lost/end counters: bools must be 0 or 1 */
	memset(&r.start, 0, sizeof(r.start));
	r.kind = RECORD_START;
	r.start.mode = "kprobe";
	r.start.attempts = "fentry: load: Operation not permitted";
	rc = round_trip(&r, &a, &b);
	ASSERT_EQ(0, rc, "start");
	memset(&r.enforce, 0, sizeof(r.enforce));
	r.kind = RECORD_ENFORCE;
	r.enforce.state = "dry-run";
	r.enforce.policy = "/p";
	r.enforce.error = "nope";
	rc = round_trip(&r, &a, &b);
	ASSERT_EQ(0, rc, "enforce error");
	sb_free(&a);
	sb_free(&b);
}

/* identity is the record's own: read back as written, never re-derived */
static void test_identity(void)
{
	struct strbuf a = { 0 }, b = { 0 };
	struct record r, back;
	static const char old[] = "{\"schema\":1,\"event\":\"end\",\"host\":\"h\"}";
	static const char bad[] = "{\"schema\":1,\"event\":\"end\",\"host\":\"h\","
		"\"host_id\":\"0123456789ABCDEF0123456789abcdef\","
		"\"boot_id\":\"fedcba9876543210fedcba9876543210\","
		"\"run_id\":\"00112233445566778899aabbccddeeff\",\"seq\":3}";
	int rc;

	fix_check(&r);
	r.host_id = "0123456789abcdef0123456789abcdef";
	r.boot_id = "fedcba9876543210fedcba9876543210";
	r.run_id = "00112233445566778899aabbccddeeff";
	r.seq = 18446744073709551615ULL;
	rc = round_trip(&r, &a, &b);
	ASSERT_EQ(0, rc, "check with identity, seq at its maximum");
	ASSERT_EQ(JSON_RECORD_OK, json_record_parse(p, a.p, a.len, &back), "parsed");
	ASSERT_STREQ(r.host_id, back.host_id, "host_id");
	ASSERT_STREQ(r.boot_id, back.boot_id, "boot_id");
	ASSERT_STREQ(r.run_id, back.run_id, "run_id");
	ASSERT_EQ(r.seq, back.seq, "seq");
	memset(&r, 0, sizeof(r));
	r.kind = RECORD_START;
	r.host = "h";
	r.start.mode = "fentry";
	r.start.attempts = "";
	r.start.lifecycle = "mdev+vfio";
	r.start.host_id_from = "boot-id";
	r.host_id = "0123456789abcdef0123456789abcdef";
	r.boot_id = "fedcba9876543210fedcba9876543210";
	r.run_id = "00112233445566778899aabbccddeeff";
	r.seq = 1;
	rc = round_trip(&r, &a, &b);
	ASSERT_EQ(0, rc, "start with host_id_from");
	ASSERT_EQ(JSON_RECORD_OK, json_record_parse(p, old, sizeof(old) - 1, &back), "old parsed");
	ASSERT_TRUE(!back.host_id && !back.boot_id && !back.run_id && !back.seq,
		    "a log from before identity: unidentified");
	ASSERT_EQ(JSON_RECORD_OK, json_record_parse(p, bad, sizeof(bad) - 1, &back), "bad parsed");
	ASSERT_TRUE(!back.host_id && !back.seq, "an upper-case id: not an identity");
	sb_free(&a);
	sb_free(&b);
}

static void test_count_missing(void)
{
	/* a log written before "count" existed */
	static const char line[] = "{\"schema\":1,\"event\":\"check\",\"ts_ns\":5,\"outcome\":\"compatible\","
				   "\"bytes\":\"x\\u00ff\",\"len\":2}\n";
	struct record r;

	ASSERT_EQ(JSON_RECORD_OK, json_record_parse(p, line, sizeof(line) - 1, &r), "parsed");
	ASSERT_EQ(RECORD_CHECK, r.kind, "kind");
	ASSERT_EQ(1, r.ev.count, "count defaults to 1");
	ASSERT_EQ(2, r.ev.data.len, "two bytes");
	ASSERT_MEMEQ("x\xff", r.ev.data.p, 2, "byte string decoded");
	ASSERT_STREQ("compatible", r.ev.outcome, "outcome");
	ASSERT_TRUE(r.ev.node.parent.p == NULL, "absent parent");
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"", "not json", "[1,2]", "{\"schema\":1}", "{\"event\":5}", "{\"event\":\"check\"",
	};
	struct record r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ASSERT_EQ(JSON_RECORD_MALFORMED, json_record_parse(p, bad[i], strlen(bad[i]), &r), bad[i]);
	ASSERT_EQ(JSON_RECORD_OTHER, json_record_parse(p, "{\"event\":\"dropped\",\"dropped\":7}", 31, &r),
		  "dropped");
	ASSERT_EQ(7, json_record_dropped(p), "dropped count");
	ASSERT_EQ(JSON_RECORD_OTHER, json_record_parse(p, "{\"event\":\"future\"}", 18, &r), "newer kind");
	ASSERT_STREQ("future", json_record_event(p), "its name");
}

/* A migration record of the real mtty run (tests/data/migration/) reads
 * back as one, for the live view's panel; lifecycle records stay "other". */
static void test_migration(void)
{
	static const char line[] =
		"{\"schema\":1,\"event\":\"migration\",\"time\":\"2026-11-30T09:54:38.118243151Z\","
		"\"ts_ns\":148059323075,\"host\":\"(none)\",\"device\":\"11111111-2222-3333-4444-555555555551\","
		"\"parent\":\"mtty\",\"type\":\"mtty-1\",\"session\":1,\"role\":\"source\","
		"\"path\":\"RUNNING>PRE_COPY>STOP_COPY>STOP\",\"outcome\":\"completed\",\"ret\":0,"
		"\"errno_name\":null,\"changes\":3,\"stopped_ns\":41866246,\"bytes\":60,"
		"\"started\":\"2026-11-30T09:54:38.057326511Z\",\"started_ns\":147998406435,\"pid\":267,"
		"\"tid\":267,\"uid\":0,\"comm\":\"vfio_migrate\",\"cgroup_id\":46,\"vm\":\"guest-one\","
		"\"unit\":\"machine-qemu\\\\x2d7\\\\x2dguest\\\\x2done.scope\",\"peer_session\":2,"
		"\"peer_device\":\"11111111-2222-3333-4444-555555555552\",\"checks_before\":"
		"{\"compatible\":1,\"incompatible\":2,\"other\":0,\"last\":\"incompatible\"}}";
	static const char life[] = "{\"schema\":1,\"event\":\"lifecycle\",\"what\":\"open\"}";
	struct record r;

	ASSERT_EQ(JSON_RECORD_OK, json_record_parse(p, line, sizeof(line) - 1, &r), "parsed");
	ASSERT_EQ(RECORD_MIGRATION, r.kind, "kind");
	ASSERT_STREQ("source", r.mig.role, "role");
	ASSERT_STREQ("completed", r.mig.outcome, "outcome");
	ASSERT_TRUE(r.mig.errno_name == NULL, "no errno");
	ASSERT_EQ(41866246, r.mig.stopped_ns, "stopped");
	ASSERT_TRUE(r.mig.has_bytes && r.mig.bytes == 60, "bytes");
	ASSERT_MEMEQ("guest-one", r.mig.who.vm.p, 9, "vm");
	ASSERT_EQ(9, r.mig.who.vm.len, "vm length");
	ASSERT_EQ(2, r.mig.peer_session, "peer session");
	ASSERT_EQ(2, r.mig.checks_incompatible, "checks before");
	ASSERT_STREQ("incompatible", r.mig.last_check, "last check");
	ASSERT_EQ(1796032478LL * 1000000000 + 57326511, r.mig.started_wall_ns, "started");
	ASSERT_EQ(JSON_RECORD_OTHER, json_record_parse(p, life, sizeof(life) - 1, &r), "lifecycle");
	ASSERT_STREQ("lifecycle", json_record_event(p), "its name");
}

static void test_time_out_of_range(void)
{
	/* found by fuzzing (tests/fuzz/regressions/json_record/): seconds *
	 * 1e9 overflowed int64 for years after 2262 (UBSan); such a time
	 * reads as absent (0), like a malformed one */
	static const char late[] = "{\"event\":\"check\",\"time\":\"2300-01-01T00:00:00Z\"}\n";
	static const char early[] = "{\"event\":\"check\",\"time\":\"1600-01-01T00:00:00Z\"}\n";
	static const char edge[] = "{\"event\":\"check\",\"time\":\"2262-01-01T00:00:00.5Z\"}\n";
	struct record r;

	ASSERT_EQ(JSON_RECORD_OK, json_record_parse(p, late, sizeof(late) - 1, &r), "late parsed");
	ASSERT_EQ(0, r.wall_ns, "year 2300: no time");
	ASSERT_EQ(JSON_RECORD_OK, json_record_parse(p, early, sizeof(early) - 1, &r), "early parsed");
	ASSERT_EQ(0, r.wall_ns, "year 1600: no time");
	ASSERT_EQ(JSON_RECORD_OK, json_record_parse(p, edge, sizeof(edge) - 1, &r), "edge parsed");
	ASSERT_EQ(9214646400500000000LL, r.wall_ns, "year 2262 still holds");
}

int main(void)
{
	p = json_record_parser_new();
	RUN_TEST(test_round_trip);
	RUN_TEST(test_identity);
	RUN_TEST(test_count_missing);
	RUN_TEST(test_malformed);
	RUN_TEST(test_time_out_of_range);
	RUN_TEST(test_migration);
	json_record_parser_free(p);
	return unit_exit();
}
