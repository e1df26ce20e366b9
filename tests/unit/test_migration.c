/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * test_migration.c - lifecycle records from kernel records (from_vfio.c)
 * and the migration record joined from them (migration.c): the paths,
 * outcomes, bytes, time stopped and pairing of a source with its target.
 */
#include <errno.h>
#include <string.h>

#include "from_vfio.h"
#include "migration.h"
#include "unit.h"

static struct record_ctx ctx = { .host = "h1" };
static uint64_t now_ns = 1000;

static struct mdevver_vfio_event ev(uint32_t what, uint64_t session, const char *dev)
{
	struct mdevver_vfio_event e;

	memset(&e, 0, sizeof(e));
	e.kind = MDEVVER_REC_VFIO;
	e.what = what;
	e.ts_ns = (now_ns += 1000);
	e.session = session;
	e.pid = 0;	/* no /proc/0/cgroup: no VM name */
	e.data_fd = -1;
	e.mode = MDEVVER_MODE_FENTRY;
	strcpy(e.comm, "qemu");
	strcpy(e.device, dev);
	strcpy(e.parent, "mtty");
	strcpy(e.type, "mtty-1");
	e.flags = MDEVVER_VF_MDEV;
	return e;
}

/* Feed one kernel record; true when it completed a migration record. */
static bool feed(struct migration_joiner *mj, const struct mdevver_vfio_event *e,
		 struct record *out)
{
	struct record r;

	if (record_from_vfio(&r, e, sizeof(*e), &ctx))
		return false;
	return migration_feed(mj, &r, out);
}

static bool change(struct migration_joiner *mj, uint64_t session, const char *dev,
		   unsigned int from, unsigned int to, int64_t ret, int64_t bytes,
		   struct record *out)
{
	struct mdevver_vfio_event e = ev(MDEVVER_VFIO_STATE, session, dev);

	e.from_state = (uint8_t)from;
	e.to_state = (uint8_t)to;
	e.ret = ret;
	e.flags |= MDEVVER_VF_FROM_DRIVER;
	if (bytes >= 0) {
		e.flags |= MDEVVER_VF_BYTES;
		e.bytes = (uint64_t)bytes;
	}
	return feed(mj, &e, out);
}

static void test_lifecycle_record(void)
{
	struct mdevver_vfio_event e = ev(MDEVVER_VFIO_STATE, 4, "uuid-a");
	struct record r;

	e.from_state = MDEVVER_MIG_RESUMING;
	e.to_state = MDEVVER_MIG_STOP;
	e.ret = -EINVAL;
	e.bytes = 30;
	e.flags |= MDEVVER_VF_BYTES;
	ASSERT_EQ(0, record_from_vfio(&r, &e, sizeof(e), &ctx), "decodes");
	ASSERT_EQ(RECORD_LIFECYCLE, r.kind, "kind");
	ASSERT_STREQ("state", r.life.what, "what");
	ASSERT_STREQ("RESUMING", r.life.from, "from");
	ASSERT_STREQ("STOP", r.life.to, "to");
	ASSERT_STREQ("EINVAL", r.life.errno_name, "errno");
	ASSERT_TRUE(r.life.has_bytes && r.life.bytes == 30, "bytes");
	ASSERT_EQ(6, (int)r.life.mdev_type.len, "type length");
	ASSERT_EQ(-1, record_from_vfio(&r, &e, sizeof(e) - 1, &ctx), "short record refused");
	e.what = 99;
	ASSERT_EQ(-1, record_from_vfio(&r, &e, sizeof(e), &ctx), "unknown what refused");
	e.what = MDEVVER_VFIO_STATE;
	e.to_state = 99;
	ASSERT_EQ(0, record_from_vfio(&r, &e, sizeof(e), &ctx), "out-of-range state");
	ASSERT_STREQ("INVALID", r.life.to, "named INVALID");
	e.from_state = MDEVVER_MIG_UNKNOWN;
	ASSERT_EQ(0, record_from_vfio(&r, &e, sizeof(e), &ctx), "unknown from");
	ASSERT_STREQ("?", r.life.from, "not seen: ?");
}

static void test_query_record(void)
{
	struct mdevver_vfio_event e = ev(MDEVVER_VFIO_FEATURE, 1, "uuid-a");
	struct record r;

	e.feature = MDEVVER_FEATURE_GET | MDEVVER_FEATURE_MIGRATION;
	e.flags |= MDEVVER_VF_VALUE;
	e.value = 7;
	ASSERT_EQ(0, record_from_vfio(&r, &e, sizeof(e), &ctx), "decodes");
	ASSERT_STREQ("query", r.life.what, "what");
	ASSERT_STREQ("migration", r.life.feature, "feature");
	ASSERT_STREQ("get", r.life.access, "access");
	ASSERT_STREQ("stop-copy,p2p,pre-copy", r.life.value_text, "flags named");
	e.feature = MDEVVER_FEATURE_PROBE | MDEVVER_FEATURE_MIG_DEVICE_STATE;
	e.flags &= ~MDEVVER_VF_VALUE;
	ASSERT_EQ(0, record_from_vfio(&r, &e, sizeof(e), &ctx), "probe decodes");
	ASSERT_STREQ("probe", r.life.access, "probe");
	ASSERT_TRUE(!r.life.has_value, "no value for a probe");
}

/* A whole migration on one host: source 1 (PRE_COPY), target 2. */
static void test_migration_pair(void)
{
	struct migration_joiner *mj = migration_joiner_new();
	struct mdevver_vfio_event o1 = ev(MDEVVER_VFIO_OPEN, 1, "src");
	struct mdevver_vfio_event o2 = ev(MDEVVER_VFIO_OPEN, 2, "dst");
	struct mdevver_vfio_event c1 = ev(MDEVVER_VFIO_CLOSE, 1, "src");
	struct mdevver_vfio_event c2 = ev(MDEVVER_VFIO_CLOSE, 2, "dst");
	struct record out;
	uint64_t t_stop;

	ASSERT_TRUE(mj != NULL, "joiner");
	ASSERT_TRUE(!feed(mj, &o1, &out) && !feed(mj, &o2, &out), "opens give nothing");
	ASSERT_TRUE(!change(mj, 1, "src", MDEVVER_MIG_RUNNING, MDEVVER_MIG_PRE_COPY, 0, -1, &out), "pre-copy");
	ASSERT_TRUE(!change(mj, 1, "src", MDEVVER_MIG_PRE_COPY, MDEVVER_MIG_STOP_COPY, 0, 24, &out), "stop-copy");
	t_stop = now_ns;	/* the source stopped running here */
	ASSERT_TRUE(!change(mj, 1, "src", MDEVVER_MIG_STOP_COPY, MDEVVER_MIG_STOP, 0, 60, &out), "stop");
	ASSERT_TRUE(!change(mj, 2, "dst", MDEVVER_MIG_RUNNING, MDEVVER_MIG_STOP, 0, -1, &out), "t stop");
	ASSERT_TRUE(!change(mj, 2, "dst", MDEVVER_MIG_STOP, MDEVVER_MIG_RESUMING, 0, -1, &out), "resuming");
	ASSERT_TRUE(!change(mj, 2, "dst", MDEVVER_MIG_RESUMING, MDEVVER_MIG_STOP, 0, 60, &out), "resumed");
	ASSERT_TRUE(!change(mj, 2, "dst", MDEVVER_MIG_STOP, MDEVVER_MIG_RUNNING, 0, -1, &out), "running");
	c1.ts_ns = (now_ns += 1000);
	ASSERT_TRUE(feed(mj, &c1, &out), "source close: its record");
	ASSERT_EQ(RECORD_MIGRATION, out.kind, "kind");
	ASSERT_STREQ("source", out.mig.role, "role");
	ASSERT_STREQ("completed", out.mig.outcome, "outcome");
	ASSERT_STREQ("RUNNING>PRE_COPY>STOP_COPY>STOP", out.mig.path, "path");
	ASSERT_EQ(60, out.mig.bytes, "bytes: the last count of the stream");
	ASSERT_EQ(3, out.mig.changes, "changes");
	ASSERT_EQ(c1.ts_ns - t_stop, out.mig.stopped_ns, "stopped from STOP_COPY to close");
	ASSERT_EQ(2, out.mig.peer_session, "paired with the target");
	ASSERT_TRUE(out.mig.peer_device.len == 3 && !memcmp(out.mig.peer_device.p, "dst", 3), "peer");
	ASSERT_TRUE(feed(mj, &c2, &out), "target close: its record");
	ASSERT_STREQ("target", out.mig.role, "role");
	ASSERT_STREQ("completed", out.mig.outcome, "outcome");
	ASSERT_STREQ("RUNNING>STOP>RESUMING>STOP>RUNNING", out.mig.path, "path");
	ASSERT_EQ(3000, out.mig.stopped_ns, "stopped from the STOP change to the RUNNING change");
	ASSERT_EQ(1, out.mig.peer_session, "paired with the source");
	ASSERT_TRUE(!migration_flush(mj, &out), "nothing left open");
	migration_joiner_free(mj);
}

static void test_failed_and_abandoned(void)
{
	struct migration_joiner *mj = migration_joiner_new();
	struct mdevver_vfio_event c3 = ev(MDEVVER_VFIO_CLOSE, 3, "dst");
	struct mdevver_vfio_event c4 = ev(MDEVVER_VFIO_CLOSE, 4, "src");
	struct mdevver_vfio_event o5 = ev(MDEVVER_VFIO_OPEN, 5, "idle");
	struct mdevver_vfio_event c5 = ev(MDEVVER_VFIO_CLOSE, 5, "idle");
	struct record out;

	/* a session seen first at a change (opened before the tracer) */
	change(mj, 3, "dst", MDEVVER_MIG_STOP, MDEVVER_MIG_RESUMING, 0, -1, &out);
	change(mj, 3, "dst", MDEVVER_MIG_RESUMING, MDEVVER_MIG_STOP, -EINVAL, 30, &out);
	ASSERT_TRUE(feed(mj, &c3, &out), "record at close");
	ASSERT_STREQ("failed", out.mig.outcome, "failed resume");
	ASSERT_STREQ("EINVAL", out.mig.errno_name, "its errno");
	ASSERT_EQ(-EINVAL, out.mig.ret, "ret");
	ASSERT_STREQ("STOP>RESUMING>STOP(EINVAL)", out.mig.path, "failed arc marked");
	ASSERT_EQ(30, out.mig.bytes, "bytes that went in");
	ASSERT_EQ(0, out.mig.peer_session, "no source moved 30 bytes");

	change(mj, 4, "src", MDEVVER_MIG_RUNNING, MDEVVER_MIG_STOP_COPY, 0, -1, &out);
	ASSERT_TRUE(feed(mj, &c4, &out), "record at close");
	ASSERT_STREQ("abandoned", out.mig.outcome, "closed in STOP_COPY");
	ASSERT_STREQ("source", out.mig.role, "a source");

	ASSERT_TRUE(!feed(mj, &o5, &out) && !feed(mj, &c5, &out), "open and close alone: no record");

	change(mj, 6, "open", MDEVVER_MIG_RUNNING, MDEVVER_MIG_STOP, 0, -1, &out);
	ASSERT_TRUE(migration_flush(mj, &out), "an open session at the end");
	ASSERT_STREQ("in-progress", out.mig.outcome, "in progress");
	ASSERT_TRUE(!migration_flush(mj, &out), "only once");
	migration_joiner_free(mj);
}

static void test_checks_before(void)
{
	struct migration_joiner *mj = migration_joiner_new();
	struct mdevver_vfio_event c = ev(MDEVVER_VFIO_CLOSE, 7, "src");
	struct record chk, out;

	memset(&chk, 0, sizeof(chk));
	chk.kind = RECORD_CHECK;
	chk.ev.count = 2;
	chk.ev.outcome = "compatible";
	chk.ev.node.mdev_type = (struct bytes){ "mtty-1", 6 };
	migration_note_check(mj, &chk);
	chk.ev.count = 1;
	chk.ev.outcome = "incompatible";
	migration_note_check(mj, &chk);
	chk.ev.node.mdev_type = (struct bytes){ "other", 5 };
	migration_note_check(mj, &chk);
	change(mj, 7, "src", MDEVVER_MIG_RUNNING, MDEVVER_MIG_STOP_COPY, 0, -1, &out);
	/* a check after the migration began is not "before" it */
	chk.ev.node.mdev_type = (struct bytes){ "mtty-1", 6 };
	migration_note_check(mj, &chk);
	change(mj, 7, "src", MDEVVER_MIG_STOP_COPY, MDEVVER_MIG_STOP, 0, 10, &out);
	ASSERT_TRUE(feed(mj, &c, &out), "record");
	ASSERT_EQ(2, out.mig.checks_compatible, "compatible checks of the type");
	ASSERT_EQ(1, out.mig.checks_incompatible, "incompatible checks of the type");
	ASSERT_STREQ("incompatible", out.mig.last_check, "the latest");
	migration_joiner_free(mj);
}

int main(void)
{
	RUN_TEST(test_lifecycle_record);
	RUN_TEST(test_query_record);
	RUN_TEST(test_migration_pair);
	RUN_TEST(test_failed_and_abandoned);
	RUN_TEST(test_checks_before);
	return unit_exit();
}
