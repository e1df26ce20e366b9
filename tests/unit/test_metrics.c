// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests for user/sinks/metrics.c: counts of calls, lost by class. */
#include "metrics.h"
#include "rec_fixture.h"
#include "unit.h"

static char *text;

static const char *render(struct metrics *m)
{
	size_t len;

	free(text);
	text = metrics_render(m, &len);
	return text ? text : "";
}

static void test_counts(void)
{
	struct metrics *m = metrics_new_unserved();
	struct record r;
	const char *t;

	ASSERT_TRUE(m != NULL, "created");
	fix_check(&r);
	r.ev.count = 500;
	metrics_record(m, &r);
	r.ev.count = 1;
	metrics_record(m, &r);
	r.kind = RECORD_READ;
	r.ev.outcome = "ok";
	r.ev.node.mdev_type = (struct bytes){ "a\"b\\c\nd", 7 };
	r.ev.count = 3;
	metrics_record(m, &r);
	fix_check(&r);
	r.ev.outcome = "denied";
	r.ev.verdict = "denied";
	r.ev.rule = "gvt-bug";
	r.ev.count = 4;
	metrics_record(m, &r);
	t = render(m);
	ASSERT_TRUE(strstr(t, "mdevver_checks_total{outcome=\"incompatible\",mdev_type=\"i915-GVTg_V5_8\"} 501\n") != NULL,
		    "checks count calls");
	ASSERT_TRUE(strstr(t, "mdevver_reads_total{outcome=\"ok\",mdev_type=\"a\\\"b\\\\c\\nd\"} 3\n") != NULL,
		    "reads, label escaped");
	ASSERT_TRUE(strstr(t, "mdevver_denied_total{rule=\"gvt-bug\"} 4\n") != NULL, "denied by rule");
	ASSERT_TRUE(strstr(t, "mdevver_coalesced_checks_total 502\n") != NULL, "coalesced checks: 499 + 3");
	ASSERT_TRUE(strstr(t, "mdevver_coalesced_reads_total 2\n") != NULL, "coalesced reads");
	/* the type's first check made its compatible series too, at 0 */
	ASSERT_TRUE(strstr(t, "mdevver_checks_total{outcome=\"compatible\",mdev_type=\"i915-GVTg_V5_8\"} 0\n") != NULL,
		    "compatible series at 0");
	/* reads create no check series for their type */
	ASSERT_TRUE(strstr(t, "mdevver_checks_total{outcome=\"compatible\",mdev_type=\"a") == NULL,
		    "no check series from a read");
	metrics_stop(m);
}

/* A type's first check creates both its compatible and incompatible series,
 * so the first incompatible check after compatible ones is an increase from
 * a sample at 0 (the alert rule MdevverTypeTurnedIncompatible needs it). */
static void test_type_series_from_zero(void)
{
	struct metrics *m = metrics_new_unserved();
	struct record r;
	const char *t;

	fix_check(&r);
	r.ev.outcome = "compatible";
	r.ev.count = 2;
	metrics_record(m, &r);
	t = render(m);
	ASSERT_TRUE(strstr(t, "mdevver_checks_total{outcome=\"compatible\",mdev_type=\"i915-GVTg_V5_8\"} 2\n") != NULL,
		    "compatible counted");
	ASSERT_TRUE(strstr(t, "mdevver_checks_total{outcome=\"incompatible\",mdev_type=\"i915-GVTg_V5_8\"} 0\n") != NULL,
		    "incompatible series exists at 0");
	r.ev.outcome = "incompatible";
	r.ev.count = 1;
	metrics_record(m, &r);
	t = render(m);
	ASSERT_TRUE(strstr(t, "mdevver_checks_total{outcome=\"incompatible\",mdev_type=\"i915-GVTg_V5_8\"} 1\n") != NULL,
		    "incompatible counted on the same series");
	ASSERT_TRUE(strstr(t, "mdevver_checks_total{outcome=\"compatible\",mdev_type=\"i915-GVTg_V5_8\"} 2\n") != NULL,
		    "compatible unchanged");
	/* one series per outcome and type, never a duplicate */
	{
		const char *p = t;
		int n = 0;

		while ((p = strstr(p, "mdevver_checks_total{outcome=\"incompatible\",mdev_type=\"i915-GVTg_V5_8\"}"))) {
			n++;
			p++;
		}
		ASSERT_TRUE(n == 1, "one incompatible series");
	}
	metrics_stop(m);
}

static void test_migrations(void)
{
	struct metrics *m = metrics_new_unserved();
	struct record r;
	const char *t;

	memset(&r, 0, sizeof(r));
	r.kind = RECORD_MIGRATION;
	r.mig.outcome = "completed";
	r.mig.mdev_type = (struct bytes){ "mtty-1", 6 };
	r.mig.stopped_ns = 3000000;	/* 3 ms: bucket 0.005 */
	r.mig.has_bytes = true;
	r.mig.bytes = 60;		/* bucket 4096 */
	metrics_record(m, &r);
	r.mig.outcome = "failed";
	r.mig.stopped_ns = 20000000000ull;	/* 20 s: bucket 60 */
	r.mig.has_bytes = false;	/* no bytes: not in the bytes histogram */
	metrics_record(m, &r);
	t = render(m);
	ASSERT_TRUE(strstr(t, "mdevver_migrations_total{outcome=\"completed\",mdev_type=\"mtty-1\"} 1\n") != NULL,
		    "completed by type");
	ASSERT_TRUE(strstr(t, "mdevver_migrations_total{outcome=\"failed\",mdev_type=\"mtty-1\"} 1\n") != NULL,
		    "failed by type");
	ASSERT_TRUE(strstr(t, "mdevver_migration_downtime_seconds_bucket{le=\"0.001\"} 0\n") != NULL, "le 1ms");
	ASSERT_TRUE(strstr(t, "mdevver_migration_downtime_seconds_bucket{le=\"0.005\"} 1\n") != NULL, "le 5ms");
	ASSERT_TRUE(strstr(t, "mdevver_migration_downtime_seconds_bucket{le=\"10\"} 1\n") != NULL, "le 10s");
	ASSERT_TRUE(strstr(t, "mdevver_migration_downtime_seconds_bucket{le=\"60\"} 2\n") != NULL, "le 60s");
	ASSERT_TRUE(strstr(t, "mdevver_migration_downtime_seconds_bucket{le=\"+Inf\"} 2\n") != NULL, "+Inf");
	ASSERT_TRUE(strstr(t, "mdevver_migration_downtime_seconds_count 2\n") != NULL, "count");
	ASSERT_TRUE(strstr(t, "mdevver_migration_downtime_seconds_sum 20.003000000\n") != NULL, "sum");
	ASSERT_TRUE(strstr(t, "mdevver_migration_bytes_bucket{le=\"4096\"} 1\n") != NULL, "bytes le 4096");
	ASSERT_TRUE(strstr(t, "mdevver_migration_bytes_count 1\n") != NULL, "bytes count");
	ASSERT_TRUE(strstr(t, "mdevver_migration_bytes_sum 60\n") != NULL, "bytes sum");
	metrics_stop(m);
}

static void test_lost(void)
{
	struct metrics *m = metrics_new_unserved();
	struct record r;
	const char *t;

	memset(&r, 0, sizeof(r));
	r.kind = RECORD_LOST;
	r.lost.lost = 5;
	r.lost.lost_checks = 2;
	r.lost.lost_reads = 3;
	metrics_record(m, &r);
	metrics_record(m, &r);
	t = render(m);
	ASSERT_TRUE(strstr(t, "mdevver_lost_lifecycle_total 0\n") != NULL, "lost lifecycle from 0");
	metrics_set_lost_lifecycle(m, 2);
	t = render(m);
	ASSERT_TRUE(strstr(t, "mdevver_lost_lifecycle_total 2\n") != NULL, "lost lifecycle setter");
	r.kind = RECORD_END;
	r.end.strict_refused = 6;
	r.end.lost_lifecycle = 8;
	metrics_record(m, &r);
	r.kind = RECORD_START;
	r.start.mode = "syscall";
	metrics_record(m, &r);
	t = render(m);
	ASSERT_TRUE(strstr(t, "mdevver_lost_events_total 10\n") != NULL, "lost");
	ASSERT_TRUE(strstr(t, "mdevver_lost_checks_total 4\n") != NULL, "lost checks");
	ASSERT_TRUE(strstr(t, "mdevver_lost_reads_total 6\n") != NULL, "lost reads");
	ASSERT_TRUE(strstr(t, "mdevver_strict_refused_total 6\n") != NULL, "strict refused");
	ASSERT_TRUE(strstr(t, "mdevver_lost_lifecycle_total 8\n") != NULL, "lost lifecycle from the end record");
	ASSERT_TRUE(strstr(t, "mdevver_attach_mode{mode=\"syscall\"} 1\n") != NULL, "mode");
	metrics_set_strict_refused(m, 9);
	t = render(m);
	ASSERT_TRUE(strstr(t, "mdevver_strict_refused_total 9\n") != NULL, "setter");
	metrics_stop(m);
}

static void test_sink(void)
{
	struct metrics *m = metrics_new_unserved();
	struct sink *s = metrics_sink(m);
	struct record r;

	ASSERT_TRUE(s != NULL, "sink");
	fix_check(&r);
	r.ev.count = 7;
	s->ops->record(s, NULL, &r);
	metrics_stop(m);	/* before the sink is closed, as the tracer does */
	s->ops->close(s);
}

/* With every label set taken, a new type's zero series are not made and
 * not counted as dropped; its counted check is. */
static void test_full_table(void)
{
	struct metrics *m = metrics_new_unserved();
	struct record r;
	char rule[16];
	const char *t;

	fix_check(&r);
	r.ev.outcome = "denied";
	for (int i = 0; i < 1022; i++) {	/* + compatible, incompatible, denied of the type */
		snprintf(rule, sizeof(rule), "r%d", i);
		r.ev.rule = rule;
		metrics_record(m, &r);
	}
	t = render(m);
	ASSERT_TRUE(strstr(t, "mdevver_metric_series_dropped_total 1\n") != NULL,
		    "1025 label sets: one dropped");
	r.ev.node.mdev_type = (struct bytes){ "new", 3 };
	r.ev.outcome = "compatible";
	metrics_record(m, &r);
	t = render(m);
	ASSERT_TRUE(strstr(t, "mdevver_metric_series_dropped_total 2\n") != NULL,
		    "the new type's check dropped, its zero series not counted");
	ASSERT_TRUE(strstr(t, "mdev_type=\"new\"") == NULL, "no series of the new type");
	metrics_stop(m);
}

int main(void)
{
	RUN_TEST(test_counts);
	RUN_TEST(test_type_series_from_zero);
	RUN_TEST(test_migrations);
	RUN_TEST(test_lost);
	RUN_TEST(test_sink);
	RUN_TEST(test_full_table);
	free(text);
	return unit_exit();
}
