// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests for user/sinks/pipeline.c: identity stamped once per record,
 * seq 1, 2, 3 ... with no holes, the same for every sink. */
#include "json_fmt.h"
#include "rec_fixture.h"
#include "sink.h"
#include "unit.h"

#define HOST_ID "0123456789abcdef0123456789abcdef"
#define BOOT_ID "fedcba9876543210fedcba9876543210"
#define RUN_ID "00112233445566778899aabbccddeeff"

/* A sink that keeps the seq and the JSON line of every record it sees. */
struct seen {
	struct sink sink;
	uint64_t seq[16];
	char json[16][1024];
	size_t n;
};

static void seen_record(struct sink *s, struct pipeline *p, const struct record *r)
{
	struct seen *v = (struct seen *)s;
	size_t len;
	const char *j = pipeline_json(p, r, &len);

	if (v->n == 16 || !j || len >= sizeof(v->json[0]))
		return;
	v->seq[v->n] = r->seq;
	memcpy(v->json[v->n], j, len);
	v->json[v->n][len] = '\0';
	v->n++;
}

static const struct sink_ops seen_ops = { .name = "seen", .record = seen_record };

static void test_seq(void)
{
	struct seen a = { .sink.ops = &seen_ops }, b = { .sink.ops = &seen_ops };
	struct pipeline *p = pipeline_new();
	struct record r;

	ASSERT_TRUE(p != NULL, "pipeline");
	ASSERT_EQ(0, pipeline_add(p, &a.sink), "sink a");
	ASSERT_EQ(0, pipeline_add(p, &b.sink), "sink b");
	pipeline_set_identity(p, HOST_ID, BOOT_ID, RUN_ID);
	ASSERT_EQ(0, pipeline_seq(p), "nothing emitted yet");
	memset(&r, 0, sizeof(r));
	r.kind = RECORD_START;
	r.host = "h";
	r.start.mode = "syscall";
	r.start.attempts = "";
	pipeline_emit(p, &r);
	ASSERT_EQ(1, r.seq, "the start record is seq 1");
	fix_check(&r);
	pipeline_emit(p, &r);
	/* the same struct emitted again is a new record: the next number */
	pipeline_emit(p, &r);
	memset(&r, 0, sizeof(r));
	r.kind = RECORD_END;
	r.host = "h";
	pipeline_emit(p, &r);
	ASSERT_EQ(4, pipeline_seq(p), "four records");
	ASSERT_EQ(4, a.n, "sink a saw four");
	ASSERT_EQ(4, b.n, "sink b saw four");
	for (size_t i = 0; i < 4; i++) {
		ASSERT_EQ(i + 1, a.seq[i], "seq in order, no holes");
		ASSERT_EQ(a.seq[i], b.seq[i], "every sink sees the same seq");
		ASSERT_STREQ(a.json[i], b.json[i], "and the same line");
	}
	ASSERT_TRUE(strstr(a.json[0], "\"host\":\"h\",\"host_id\":\"" HOST_ID "\",\"boot_id\":\""
			   BOOT_ID "\",\"run_id\":\"" RUN_ID "\",\"seq\":1,") != NULL,
		    "identity right after host, in the documented order");
	ASSERT_TRUE(strstr(a.json[3], "\"seq\":4,\"events\":") != NULL,
		    "the end record carries the last seq");
	pipeline_free(p);
}

static void test_no_identity(void)
{
	struct seen a = { .sink.ops = &seen_ops };
	struct pipeline *p = pipeline_new();
	struct record r;

	pipeline_add(p, &a.sink);
	fix_check(&r);
	pipeline_emit(p, &r);
	ASSERT_EQ(1, a.n, "one record");
	ASSERT_EQ(0, a.seq[0], "no seq without an identity");
	ASSERT_TRUE(strstr(a.json[0], "host_id") == NULL && strstr(a.json[0], "\"seq\"") == NULL,
		    "no identity fields");
	pipeline_free(p);
}

int main(void)
{
	RUN_TEST(test_seq);
	RUN_TEST(test_no_identity);
	return unit_exit();
}
