// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pipeline_bench.c - user-space cost per record of the record pipeline:
 * synthetic check events (an i915 type attribute, a 29-byte version,
 * fentry) through record_from_event and each sink alone, then text + audit
 * log + metrics together.  Prints ns per record and records/s; asserts
 * nothing (timings depend on the machine).  Times are CPU time.  Build: make pipeline_bench.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit_log.h"
#include "metrics.h"
#include "node_cache.h"
#include "record.h"
#include "sink.h"
#include "stdout_sink.h"

#define N 1000000
#define ROUND 4096	/* records per poll round (BATCH_MAX) */

static struct mdevver_event ev;

static void make_event(void)
{
	static const char *const names[] = {
		"version", "i915-GVTg_V5_4", "mdev_supported_types", "0000:00:02.0",
		"pci0000:00", "devices",
	};

	ev.kind = MDEVVER_REC_EVENT;
	ev.op = MDEVVER_OP_CHECK;
	ev.mode = MDEVVER_MODE_FENTRY;
	ev.pid = ev.tid = 4242;
	ev.ppid = 1;
	ev.cgroup_id = 1;
	ev.latency_ns = 15000;
	ev.node_id = 12345;
	memcpy(ev.comm, "qemu-system-x86", 16);
	for (int i = 0; i < 6; i++)
		strcpy(ev.path[i], names[i]);
	ev.path_depth = 6;
	memcpy(ev.data, "00028086-193b-i915-GVTg_V5_4\n", 29);
	ev.data_len = 29;
	ev.count = 29;
	ev.ret = 29;
}

/* CPU time of this process (user + system, so the audit log's write(2)s
 * count): steadier than wall time on a shared machine. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run(const char *what, struct sink **sinks, int n)
{
	struct node_cache *nodes = node_cache_new(0);
	struct record_ctx ctx = { .host = "bench", .nodes = nodes };
	struct pipeline *p = pipeline_new();
	struct record r;
	double t0, dt;

	ctx.realtime_offset_ns = record_realtime_offset_ns();
	for (int i = 0; i < n; i++)
		pipeline_add(p, sinks[i]);
	t0 = now();
	for (long i = 0; i < N; i++) {
		ev.ts_ns = 1000000000ull + (uint64_t)i * 1000;
		if (record_from_event(&r, &ev, sizeof(ev), 1, &ctx))
			abort();
		pipeline_emit(p, &r);
		if (i % ROUND == ROUND - 1)
			pipeline_flush(p);
	}
	pipeline_flush(p);
	dt = now() - t0;
	printf("%-36s %7.0f ns/record %10.0f records/s\n", what, dt * 1e9 / N, N / dt);
	pipeline_free(p);
	node_cache_free(nodes);
}

int main(void)
{
	char tmpl[] = "/tmp/pipeline-bench-XXXXXX", path[64], err[256];
	struct audit_log_options opt = { .path = path, .flush = AUDIT_FLUSH_LINE };
	FILE *null = fopen("/dev/null", "w");
	struct audit_log *log;
	struct metrics *m;
	struct sink *s[3];

	if (!null || !mkdtemp(tmpl))
		return 1;
	snprintf(path, sizeof(path), "%s/audit.log", tmpl);
	make_event();
	run("record_from_event only", s, 0);
	s[0] = stdout_sink_new(null, false, false);
	run("text to /dev/null", s, 1);
	s[0] = stdout_sink_new(null, true, false);
	run("JSON to /dev/null", s, 1);
	log = audit_log_open(&opt, err, sizeof(err));
	if (!log)
		return 1;
	s[0] = audit_log_sink(log);
	run("audit log (--flush line, tmp file)", s, 1);
	audit_log_close(log);
	unlink(path);
	m = metrics_new_unserved();
	s[0] = metrics_sink(m);
	run("metrics", s, 1);
	metrics_stop(m);
	log = audit_log_open(&opt, err, sizeof(err));
	m = metrics_new_unserved();
	s[0] = stdout_sink_new(null, false, false);
	s[1] = audit_log_sink(log);
	s[2] = metrics_sink(m);
	run("text + audit log + metrics", s, 3);
	audit_log_close(log);
	metrics_stop(m);
	unlink(path);
	rmdir(tmpl);
	fclose(null);
	return 0;
}
