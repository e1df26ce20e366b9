// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * session.c - the tracing session (trace, enforce, top): open the sinks,
 * attach, then rounds until a signal or --duration:
 *
 *   wait (epoll: both rings, the scrape-sync eventfd; MDEVVER_POLL_MS)
 *   drain "checks" first, then "reads" with a budget: reads never starve checks
 *   flush the repeat slots (coalesced identical calls, runs.h)
 *   report new losses by class as a "lost" record
 *   flush the sinks; answer a metrics scrape waiting for this round
 *   SIGUSR1 reopens the audit log, SIGHUP reloads the policy (enforce)
 *
 * and at the end a bounded final drain, the last slot flush (repeats whose
 * template never arrived count as lost), the "end" record and the exit
 * summary.  Every call is delivered (possibly as a count on its run's
 * record) or counted lost in its class: never silent (docs/delivery.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "audit_log.h"
#include "drain_sync.h"
#include "escape.h"
#include "identity.h"
#include "journal_sink.h"
#include "kernel_features.h"
#include "log.h"
#include "mdevver_enforce.h"
#include "mdevver_trace.skel.h"
#include "from_vfio.h"
#include "metrics.h"
#include "mhd_lib.h"
#include "migration.h"
#include "node_cache.h"
#include "notify.h"
#include "privileges.h"
#include "record.h"
#include "ring_reader.h"
#include "runs.h"
#include "sink.h"
#include "stage.h"
#include "stdout_sink.h"
#include "trace.h"

/* Records taken from the checks ring before the round goes on (signals,
 * losses): writers faster than we are would otherwise keep us draining. */
#define CHECK_BATCH_MAX 4096
/* Records taken from the reads ring per round, after the checks. */
#define READ_BUDGET 1024
/* A metrics scrape waits at most this long for its round. */
#define SCRAPE_SYNC_MS 2000
/* Rounds of the final drain (writers may still be going). */
#define FINAL_ROUNDS 64

static volatile sig_atomic_t exiting;
static volatile sig_atomic_t reopen_log;	/* SIGUSR1: logrotate moved it */
static volatile sig_atomic_t reload_policy;	/* SIGHUP (enforce) */

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static void on_sigusr1(int sig)
{
	(void)sig;
	reopen_log = 1;
}

static void on_sighup(int sig)
{
	(void)sig;
	reload_policy = 1;
}

struct session {
	const struct trace_options *opt;
	struct tracer t;
	struct enforcer en;
	bool enforcing;
	bool en_ready;			/* preflight passed: enforce_finish owed */
	char host[256];

	struct pipeline *pipe;
	struct record_ctx rctx;
	struct node_cache *nodes;
	struct audit_log *log;
	struct metrics *metrics;

	struct ring_reader *rb[MDEVVER_CLASSES];	/* by class */
	struct stage *stage[MDEVVER_CLASSES];	/* this round's records, by class */
	int epfd;
	struct runs *runs;
	struct drain_sync sync;
	bool sync_on;

	unsigned int batch;		/* records of this ring in this round */
	uint64_t records[MDEVVER_CLASSES];	/* delivered records */
	uint64_t calls[MDEVVER_CLASSES];	/* calls they stand for */
	uint64_t reported[MDEVVER_CLASSES];	/* lost calls reported */
	uint64_t malformed;
	uint64_t unfinished[MDEVVER_CLASSES];	/* begun, never ended (at stop) */

	struct migration_joiner *mig;	/* lifecycle -> migration records */
	uint64_t lifecycle_records;
	struct identity id;		/* stamped on every record by the pipeline */
	struct notify notify;		/* sd_notify: ready, status, watchdog */
};

/* --- records ------------------------------------------------------------ */

/* A record user space makes (not from a kernel event): stamped now. */
static void record_init(struct session *s, struct record *r, enum record_kind kind)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->host = s->host;
	record_set_time(r, &s->rctx, record_now_ns());
}

static const char *enforce_state_name(const struct trace_options *opt)
{
	return opt->enforce.dry_run ? "dry-run" : "on";
}

static void emit_enforce(struct session *s, size_t rules, unsigned int gen,
			 const char *error)
{
	struct record r;

	record_init(s, &r, RECORD_ENFORCE);
	r.enforce.state = enforce_state_name(s->opt);
	r.enforce.policy = s->opt->enforce.policy_path;
	r.enforce.rules = rules;
	r.enforce.generation = gen;
	r.enforce.error = error;
	pipeline_emit(s->pipe, &r);
}

/* A run's template once more, standing for count repeats (runs.h). */
static void emit_repeats(void *ctx, int cls, const struct mdevver_event *tmpl,
			 size_t len, uint64_t count, uint64_t ts_ns)
{
	struct session *s = ctx;
	struct record r;

	if (record_from_event(&r, tmpl, len, count, &s->rctx)) {
		s->malformed++;
		return;
	}
	record_set_time(&r, &s->rctx, ts_ns);
	pipeline_emit(s->pipe, &r);
	s->records[cls]++;
	s->calls[cls] += count;
}

static void handle_event(struct session *s, const struct mdevver_event *e, size_t len)
{
	struct record r;
	int cls;

	if (len < MDEVVER_EVENT_MIN_LEN || (cls = runs_class_of_op(e->op)) < 0 ||
	    record_from_event(&r, e, len, 1, &s->rctx)) {
		s->malformed++;
		return;
	}
	runs_note_event(s->runs, e, len);
	pipeline_emit(s->pipe, &r);
	if (s->mig)
		migration_note_check(s->mig, &r);
	s->records[cls]++;
	s->calls[cls]++;
	/* a deny failed closed for want of the device's own string: learn it
	 * now, so the next check is judged on facts */
	if (s->enforcing && (e->fail_closed & MDEVVER_UNK_LOCAL))
		enforce_scan_nodes(&s->en, false);
}

/* A lifecycle record (create, open, migration state, ...), and the
 * migration record it completes. */
static void handle_vfio(struct session *s, const struct mdevver_vfio_event *e, size_t len)
{
	struct record r, m;

	if (record_from_vfio(&r, e, len, &s->rctx)) {
		s->malformed++;
		return;
	}
	pipeline_emit(s->pipe, &r);
	s->lifecycle_records++;
	if (s->mig && migration_feed(s->mig, &r, &m))
		pipeline_emit(s->pipe, &m);
}

/* One ring record, either ring: an event or the repeats of a run. */
static void dispatch(void *ctx, const void *data, size_t len)
{
	struct session *s = ctx;
	__u32 kind;

	if (len < sizeof(kind)) {
		s->malformed++;
		return;
	}
	memcpy(&kind, data, sizeof(kind));
	if (kind == MDEVVER_REC_EVENT)
		handle_event(s, data, len);
	else if (kind == MDEVVER_REC_REPEAT && len >= sizeof(struct mdevver_repeat))
		runs_repeat(s->runs, data, emit_repeats, s);
	else if (kind == MDEVVER_REC_VFIO)
		handle_vfio(s, data, len);
	else
		s->malformed++;
}

/* A record taken from a ring: kept for this round's merge (stage.h). */
static int on_ring_record(struct session *s, int cls, void *data, size_t len,
			  unsigned int limit)
{
	if (stage_add(s->stage[cls], data, len))
		s->malformed++;	/* out of memory: said in the summary */
	/* the reader drains until the ring is empty; stop the round here
	 * (this record is consumed already) */
	if (++s->batch >= limit)
		return -EAGAIN;
	return 0;
}

static int on_check_record(void *ctx, void *data, size_t len)
{
	return on_ring_record(ctx, MDEVVER_CLASS_CHECK, data, len, CHECK_BATCH_MAX);
}

static int on_read_record(void *ctx, void *data, size_t len)
{
	return on_ring_record(ctx, MDEVVER_CLASS_READ, data, len, READ_BUDGET);
}

/* --- losses ------------------------------------------------------------- */

static uint64_t bss_sum(const __u64 *v)
{
	uint64_t n = 0;

	for (int c = 0; c < MDEVVER_CLASSES; c++)
		n += __atomic_load_n(&v[c], __ATOMIC_RELAXED);
	return n;
}

/* Calls of class cls not delivered, all causes, since start. */
static uint64_t lost_of_class(struct session *s, int cls)
{
	const struct mdevver_trace_bpf__bss *bss = s->t.skel->bss;

	return __atomic_load_n(&bss->lost[cls], __ATOMIC_RELAXED) +
	       __atomic_load_n(&bss->untracked[cls], __ATOMIC_RELAXED) +
	       __atomic_load_n(&bss->exit_unseen[cls], __ATOMIC_RELAXED) +
	       s->unfinished[cls] + runs_orphaned(s->runs, cls);
}

/* When a class lost more since the last report: one "lost" record. */
static void report_loss(struct session *s)
{
	uint64_t delta[MDEVVER_CLASSES] = { 0 };
	bool grew = false;
	struct record r;

	for (int c = 0; c < MDEVVER_CLASSES; c++) {
		uint64_t now = lost_of_class(s, c);

		if (now > s->reported[c]) {
			delta[c] = now - s->reported[c];
			s->reported[c] = now;
			grew = true;
		}
	}
	if (s->enforcing)
		enforce_note_reported_loss(&s->en, bss_sum(s->t.skel->bss->lost) +
					   bss_sum(s->t.skel->bss->untracked));
	if (!grew)
		return;
	record_init(s, &r, RECORD_LOST);
	r.lost.lost_checks = delta[MDEVVER_CLASS_CHECK];
	r.lost.lost_reads = delta[MDEVVER_CLASS_READ];
	r.lost.lost = r.lost.lost_checks + r.lost.lost_reads;
	r.lost.total_lost = bss_sum(s->t.skel->bss->lost);
	r.lost.total_untracked = bss_sum(s->t.skel->bss->untracked);
	pipeline_emit(s->pipe, &r);
}

/* --- rounds ------------------------------------------------------------- */

/* Drain checks, then reads within their budget, and hand the round's
 * records on in time order.  Returns 1 when a ring still had records (come
 * back at once), 0 when both were drained, or a negative errno. */
static int drain(struct session *s)
{
	bool more = false;
	int err = 0;

	for (int c = 0; c < MDEVVER_CLASSES && err >= 0; c++) {
		int64_t n;

		s->batch = 0;
		n = ring_reader_consume(s->rb[c]);
		err = n < 0 ? (int)n : 0;
		if (err == -EAGAIN || err == -EINTR) {
			more = more || err == -EAGAIN;
			err = 0;
		}
	}
	stage_merge(s->stage[MDEVVER_CLASS_CHECK], s->stage[MDEVVER_CLASS_READ],
		    dispatch, s);
	return err < 0 ? err : more;
}

/*
 * Program runs the kernel skipped: a tracing program is not run when one of
 * the same program is already running on that CPU (recursion protection).
 * Where tracing programs can be preempted (e.g. 7.2), another task's call
 * on the same CPU meets that guard and is never seen: not delivered and
 * not countable by class.  The kernel counts the skips; say them.
 */
static uint64_t kernel_missed(const struct session *s)
{
	struct bpf_program *p;
	uint64_t n = 0;

	bpf_object__for_each_program(p, s->t.skel->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		memset(&info, 0, sizeof(info));
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			n += info.recursion_misses;
	}
	return n;
}

/* Everything a round ends with: slots, losses, sinks. */
static void settle(struct session *s, bool final)
{
	/* the first skipped program run switches on the rebuilding of calls
	 * at their exit (delivery.bpf.h call_at_exit) */
	if (!s->t.skel->bss->recover_skipped && kernel_missed(s)) {
		__atomic_store_n(&s->t.skel->bss->recover_skipped, 1, __ATOMIC_RELAXED);
		if (s->t.mode == MDEVVER_MODE_FENTRY)
			p_info("the kernel skips runs of our programs here (preemptible tracing "
		       "programs): calls whose entry was skipped are rebuilt at their exit "
		       "from now on (docs/delivery.md)");
	}
	runs_flush(s->runs, final, emit_repeats, s);
	report_loss(s);
	pipeline_flush(s->pipe);
	if (s->metrics) {
		if (s->log)
			metrics_set_audit_dropped(s->metrics, audit_log_dropped(s->log));
		metrics_set_strict_refused(s->metrics,
					   __atomic_load_n(&s->t.skel->bss->strict_refused,
							   __ATOMIC_RELAXED));
		metrics_set_lost_lifecycle(s->metrics,
					   __atomic_load_n(&s->t.skel->bss->lost_lifecycle,
							   __ATOMIC_RELAXED));
	}
}

/* The metrics HTTP thread, before each scrape: one complete round. */
static void scrape_sync(void *ctx)
{
	struct session *s = ctx;

	drain_sync_request(&s->sync, SCRAPE_SYNC_MS);
}

static void handle_signals(struct session *s)
{
	char msg[1024];

	if (reopen_log && s->log) {
		reopen_log = 0;
		audit_log_reopen(s->log);
	}
	if (!reload_policy || !s->enforcing)
		return;
	reload_policy = 0;
	if (enforce_reload(&s->en, msg, sizeof(msg))) {
		p_err("reload of %s rejected, the previous policy stays: %s",
		      s->opt->enforce.policy_path, msg);
		emit_enforce(s, 0, 0, msg);
		notify_status(&s->notify, "reload rejected, the previous policy stays "
			      "(see the log)");
	} else {
		p_info("reloaded %s: %s", s->opt->enforce.policy_path, msg);
		emit_enforce(s, s->en.n_rules, s->en.active_gen, NULL);
	}
	pipeline_flush(s->pipe);
}

static double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What the tracer is doing, for the service manager (systemctl status):
 * one line, the policy path escaped (a newline would end the message's
 * STATUS= field and start another assignment). */
static const char *status_text(struct session *s, char *buf, size_t sz)
{
	unsigned long long checks = s->calls[MDEVVER_CLASS_CHECK],
			   reads = s->calls[MDEVVER_CLASS_READ],
			   lost = s->reported[MDEVVER_CLASS_CHECK] + s->reported[MDEVVER_CLASS_READ];

	if (s->enforcing) {
		const char *p = s->opt->enforce.policy_path;
		char path[160];

		c_escape(path, sizeof(path), p, strlen(p));
		snprintf(buf, sz, "enforcing %s (%s, %zu rules, generation %u) in %s mode: "
			 "%llu checks, %llu reads, %llu lost", path,
			 s->opt->enforce.dry_run ? "dry run" : "on", s->en.n_rules,
			 s->en.active_gen, mode_name(s->t.mode), checks, reads, lost);
	} else {
		snprintf(buf, sz, "tracing in %s mode: %llu checks, %llu reads, %llu lost",
			 mode_name(s->t.mode), checks, reads, lost);
	}
	return buf;
}

static int run_loop(struct session *s)
{
	double deadline = s->opt->duration_s > 0 ? monotonic_s() + s->opt->duration_s : 0;
	/* a watchdog ping must never wait for a long poll */
	const int poll_ms = notify_max_wait_ms(&s->notify, MDEVVER_POLL_MS);
	int timeout = poll_ms;
	char status[512];

	while (!exiting) {
		struct epoll_event evs[4];
		uint64_t sync_seq;
		int n, more;

		n = epoll_wait(s->epfd, evs, 4, timeout);
		if (n < 0 && errno != EINTR) {
			p_err("polling ring buffers: %s", strerror(errno));
			return -1;
		}
		/* the BPF side wakes us only when a ring fills up: a wait
		 * that timed out must still drain */
		sync_seq = s->sync_on ? drain_sync_begin(&s->sync) : 0;
		more = drain(s);
		if (more < 0) {
			p_err("polling ring buffer: %s", strerror(-more));
			return -1;
		}
		timeout = more ? 0 : poll_ms;
		settle(s, false);
		if (s->sync_on)
			drain_sync_end(&s->sync, sync_seq);
		handle_signals(s);
		/* after a whole round: a loop that no longer gets here (a hung
		 * sink) stops the pings, and systemd restarts the unit */
		if (s->notify.on)
			notify_tick(&s->notify, status_text(s, status, sizeof(status)));
		if (deadline && monotonic_s() >= deadline)
			break;
		if (s->opt->tick_cb && s->opt->tick_cb(s->opt->cb_ctx))
			break;
	}
	return 0;
}

/* --- start and end ------------------------------------------------------ */

static const char *vendor_label(const struct tracer *t)
{
	static const char *const labels[2][2] = {
		/* [get][check] */
		{ "none", "check" },
		{ "get", "get+check" },
	};

	return labels[t->vendor_get][t->vendor_check];
}

/* stdout (text or JSON), audit log / syslog, metrics, the caller's sink. */
static int open_sinks(struct session *s)
{
	const struct trace_options *opt = s->opt;
	struct sink *sk;
	char why[256];

	s->pipe = pipeline_new();
	if (!s->pipe) {
		p_err("out of memory");
		return -1;
	}
	pipeline_set_identity(s->pipe, s->id.host_id, s->id.boot_id, s->id.run_id);
	if (!opt->quiet) {
		sk = stdout_sink_new(stdout, opt->json, opt->verbose);
		if (!sk || pipeline_add(s->pipe, sk)) {
			p_err("stdout: out of memory");
			return -1;
		}
	}
	if (opt->audit.path || opt->audit.syslog) {
		s->log = audit_log_open(&opt->audit, why, sizeof(why));
		if (!s->log) {
			p_err("audit log %s: %s",
			      opt->audit.path ? opt->audit.path : "(syslog)", why);
			return -1;
		}
		sk = audit_log_sink(s->log);
		if (!sk || pipeline_add(s->pipe, sk)) {
			p_err("audit log: too many sinks");
			return -1;
		}
	}
	if (opt->journal) {
		/* libsystemd is loaded only now (sd_lib.h) */
		sk = journal_sink_new(why, sizeof(why));
		if (!sk) {
			p_err("--journal: %s", why);
			return -1;
		}
		if (pipeline_add(s->pipe, sk)) {
			p_err("journal: too many sinks");
			return -1;
		}
	}
	if (opt->metrics_addr) {
		/* loaded only now (mhd_lib.h), and said so when it cannot be */
		if (!mhd_lib(why, sizeof(why))) {
			p_err("--metrics-addr: %s", why);
			return -1;
		}
		s->metrics = metrics_start(opt->metrics_addr, why, sizeof(why));
		if (!s->metrics) {
			p_err("metrics: %s", why);
			return -1;
		}
		sk = metrics_sink(s->metrics);
		if (!sk || pipeline_add(s->pipe, sk)) {
			p_err("metrics: too many sinks");
			return -1;
		}
	}
	if (opt->sink && pipeline_add(s->pipe, opt->sink)) {
		p_err("too many sinks");
		return -1;
	}
	return 0;
}

/* Both rings in one epoll set with the scrape-sync eventfd; each ring
 * mapped once (ring_reader.h: libbpf's reader maps the data twice). */
static int open_rings(struct session *s)
{
	static const char *const ring_names[MDEVVER_CLASSES] = { "checks", "reads" };
	const int fds[MDEVVER_CLASSES] = {
		bpf_map__fd(s->t.skel->maps.checks),
		bpf_map__fd(s->t.skel->maps.reads),
	};
	struct epoll_event ev = { .events = EPOLLIN };

	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0) {
		p_err("epoll: %s", strerror(errno));
		return -1;
	}
	for (int c = 0; c < MDEVVER_CLASSES; c++) {
		s->stage[c] = stage_new();
		if (!s->stage[c]) {
			p_err("out of memory");
			return -1;
		}
		s->rb[c] = ring_reader_open(fds[c], c == MDEVVER_CLASS_CHECK ?
					    on_check_record : on_read_record, s);
		if (!s->rb[c]) {
			p_err("creating ring buffer %s: %s", ring_names[c], strerror(errno));
			return -1;
		}
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, ring_reader_fd(s->rb[c]), &ev)) {
			p_err("epoll: %s", strerror(errno));
			return -1;
		}
	}
	s->runs = runs_open(bpf_map__fd(s->t.skel->maps.repeat_slots));
	s->mig = migration_joiner_new();	/* NULL: no migration records, said below */
	if (!s->mig)
		p_warn("no memory for the migration joiner: lifecycle records only");
	if (!s->runs) {
		p_err("mapping the repeat slots: %s", strerror(errno));
		return -1;
	}
	if (s->metrics) {
		if (drain_sync_init(&s->sync) ||
		    epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->sync.efd, &ev)) {
			p_err("scrape sync: %s", strerror(errno));
			return -1;
		}
		s->sync_on = true;
		metrics_set_sync(s->metrics, scrape_sync, s);
	}
	return 0;
}

static void emit_start(struct session *s)
{
	struct record r;

	record_init(s, &r, RECORD_START);
	r.start.mode = mode_name(s->t.mode);
	r.start.attempts = s->t.attempts;
	r.start.vendor_get = s->t.vendor_get;
	r.start.vendor_check = s->t.vendor_check;
	r.start.lifecycle = lifecycle_label(&s->t);
	r.start.host_id_from = s->id.host_id_from;
	pipeline_emit(s->pipe, &r);
}

static int start_enforcing(struct session *s)
{
	const struct trace_options *opt = s->opt;
	char msg[1024];
	struct record r;

	s->rctx.rule_name = enforce_rule_name;
	s->rctx.rule_ctx = &s->en;
	if (enforce_activate(&s->en, &s->t, msg, sizeof(msg))) {
		p_err("enforcement: %s", msg);
		return -1;
	}
	p_info("enforcing %s (%s): %zu rules%s%s", opt->enforce.policy_path,
	       opt->enforce.dry_run ?
	       "dry run: nothing is refused, matches are reported as would-deny" :
	       "BPF LSM", s->en.n_rules, msg[0] ? "; " : "", msg);
	emit_enforce(s, s->en.n_rules, s->en.active_gen, NULL);
	if (s->en.adopted_lost) {
		/* counted by the programs we take over, class unknown: shown
		 * as checks (the class that matters); our own counters, and
		 * so the end record, start from zero */
		record_init(s, &r, RECORD_LOST);
		r.lost.lost = r.lost.lost_checks = r.lost.total_lost = s->en.adopted_lost;
		pipeline_emit(s->pipe, &r);
	}
	return 0;
}

/* Bounded final drain, last slot flush, the end record, the summary. */
static void finish(struct session *s)
{
	const struct mdevver_trace_bpf__bss *bss = s->t.skel->bss;
	uint64_t lost_total;
	struct record r;

	/* nothing new may arrive while the rings are drained to the end: a
	 * record left behind would be neither delivered nor counted.  Pinned
	 * links stay attached (their events wait for the next instance), so
	 * then the drain is bounded. */
	tracer_detach(&s->t);
	for (int i = 0; s->opt->enforce.pin ? i < FINAL_ROUNDS : 1; i++)
		if (drain(s) <= 0)
			break;
	/* calls begun and never ended: their exit program was skipped by
	 * the kernel, or they were under way when we detached -- either way
	 * not delivered (pinned programs still run: their calls go on) */
	if (!s->opt->enforce.pin)
		for (int c = 0; c < MDEVVER_CLASSES; c++) {
			__s64 n = __atomic_load_n(&bss->open_calls[c], __ATOMIC_RELAXED);

			s->unfinished[c] = n > 0 ? (uint64_t)n : 0;
		}
	settle(s, true);
	/* sessions still open: their migrations as "in-progress" */
	if (s->mig) {
		struct record m;

		while (migration_flush(s->mig, &m)) {
			m.host = s->host;
			pipeline_emit(s->pipe, &m);
		}
	}
	if (bss->lost_lifecycle)
		p_warn("%llu lifecycle records (create, open, migration state changes) "
		       "lost: the checks ring was full",
		       (unsigned long long)bss->lost_lifecycle);
	record_init(s, &r, RECORD_END);
	r.end.events = s->records[MDEVVER_CLASS_CHECK] + s->records[MDEVVER_CLASS_READ];
	r.end.checks = s->calls[MDEVVER_CLASS_CHECK];
	r.end.reads = s->calls[MDEVVER_CLASS_READ];
	r.end.lost_checks = s->reported[MDEVVER_CLASS_CHECK];
	r.end.lost_reads = s->reported[MDEVVER_CLASS_READ];
	r.end.total_lost = bss_sum(bss->lost);
	r.end.total_untracked = bss_sum(bss->untracked);
	r.end.strict_refused = __atomic_load_n(&bss->strict_refused, __ATOMIC_RELAXED);
	r.end.kernel_missed = kernel_missed(s);
	r.end.lifecycle = s->lifecycle_records;
	r.end.lost_lifecycle = __atomic_load_n(&bss->lost_lifecycle, __ATOMIC_RELAXED);
	pipeline_emit(s->pipe, &r);
	pipeline_flush(s->pipe);
	if (s->opt->stop_cb)
		s->opt->stop_cb(s->opt->cb_ctx);

	lost_total = r.end.lost_checks + r.end.lost_reads;
	p_info("%llu checks (%llu records), %llu reads, %llu lost (%llu checks, %llu reads)",
	       (unsigned long long)r.end.checks,
	       (unsigned long long)s->records[MDEVVER_CLASS_CHECK],
	       (unsigned long long)r.end.reads, (unsigned long long)lost_total,
	       (unsigned long long)r.end.lost_checks,
	       (unsigned long long)r.end.lost_reads);
	if (s->malformed)
		p_warn("%llu malformed records ignored", (unsigned long long)s->malformed);
	if (r.end.kernel_missed)
		p_warn("the kernel skipped our programs %llu times (recursion protection: "
		       "a program preempted on a CPU keeps the next call on that CPU out); %s",
		       (unsigned long long)r.end.kernel_missed,
		       s->t.mode == MDEVVER_MODE_FENTRY ?
		       "calls whose entry was skipped were rebuilt at their exit, calls "
		       "whose exit was skipped are counted lost above" :
		       "calls whose entry was skipped are not seen: up to that many may "
		       "be neither delivered nor counted above");
	if (r.end.strict_refused)
		p_warn("%llu checks refused (ENOBUFS) because they could not be recorded (--strict)",
		       (unsigned long long)r.end.strict_refused);
	if (bss->judge_slots_busy)
		p_warn("%llu checks refused without a judgement "
		       "(no free judgement slot; each has a no-judgement-slot event)",
		       (unsigned long long)bss->judge_slots_busy);
	if (s->log && s->opt->audit.path && audit_log_dropped(s->log))
		p_warn("%llu records could not be written to %s",
		       (unsigned long long)audit_log_dropped(s->log), s->opt->audit.path);
}

static void session_close(struct session *s, bool ok)
{
	const struct trace_options *opt = s->opt;

	if (s->en_ready) {
		if (opt->enforce.pin && ok)
			p_info("enforcement stays pinned in %s; "
			       "'mdevver-trace unpin' removes it", MDEVVER_PIN_DIR);
		enforce_finish(&s->en, opt->enforce.pin);
	}
	/* no scrape may wait for a round any more */
	if (s->sync_on)
		drain_sync_stop(&s->sync);
	metrics_stop(s->metrics);	/* joins the HTTP thread */
	if (s->pipe)
		pipeline_free(s->pipe);	/* closes every sink */
	else if (opt->sink && opt->sink->ops->close)
		opt->sink->ops->close(opt->sink);
	if (s->log)
		audit_log_close(s->log);
	for (int c = 0; c < MDEVVER_CLASSES; c++) {
		ring_reader_free(s->rb[c]);
		stage_free(s->stage[c]);
	}
	runs_close(s->runs);
	migration_joiner_free(s->mig);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->sync_on)
		drain_sync_destroy(&s->sync);
	tracer_stop(&s->t);
	node_cache_free(s->nodes);
}

/*
 * Why nothing attached, in words that say what to do: a forced mode names
 * the mode auto would pick instead (tried for real, the same ladder), and
 * a file system the modes need but nobody mounted gets its mount command.
 */
static void report_attach_failure(struct session *s, const struct tracer_config *cfg)
{
	const struct trace_options *opt = s->opt;
	const char *what = s->enforcing && !opt->enforce.dry_run ?
			   "cannot load enforcement" : "cannot trace";

	if (cfg->mode) {
		struct tracer_config any = *cfg;
		struct tracer t;
		char alt[160];

		any.mode = 0;
		if (tracer_start(&t, &any) == 0) {
			snprintf(alt, sizeof(alt), "auto would pick %s here (run without -m)",
				 mode_name(t.mode));
			tracer_stop(&t);
		} else {
			snprintf(alt, sizeof(alt), "no other mode works here either");
		}
		p_err("%s: -m %s does not work here: %s; %s", what, mode_name(cfg->mode),
		      s->t.attempts, alt);
	} else {
		p_err("%s: no attach mode works on this kernel: %s", what, s->t.attempts);
	}
	if (!kf_tracefs_mounted() && (!cfg->mode || cfg->mode == MDEVVER_MODE_SYSCALL))
		p_err("tracefs is not mounted (syscall mode reads tracepoint ids there): "
		      "%s", KF_MOUNT_TRACEFS);
	p_err("run 'mdevver-trace probes' for details, or -v for libbpf's messages");
}

/* One short line once attached: mode, what is watched, where records go;
 * why not fentry only when auto fell back (the start record keeps every
 * attempt; -v prints them). */
static void print_start_line(struct session *s)
{
	const struct trace_options *opt = s->opt;
	char watched[512] = "", log[300] = "", metrics[300] = "", host_id[300] = "";
	size_t n = 0;

	for (size_t i = 0; i < opt->cfg.n_attr_names && n < sizeof(watched); i++)
		n += snprintf(watched + n, sizeof(watched) - n, "%s%s", i ? ", " : "",
			      opt->cfg.attr_names[i]);
	if (opt->audit.path || opt->audit.syslog || opt->journal)
		snprintf(log, sizeof(log), "; log %s%s%s%s%s", opt->audit.path ? opt->audit.path : "",
			 opt->audit.path && opt->audit.syslog ? " and " : "",
			 opt->audit.syslog ? "syslog" : "",
			 (opt->audit.path || opt->audit.syslog) && opt->journal ? " and " : "",
			 opt->journal ? "the journal" : "");
	if (opt->metrics_addr)
		snprintf(metrics, sizeof(metrics), "; metrics http://%s/metrics", opt->metrics_addr);
	/* the fallback host id changes every boot: say so where it is chosen */
	if (strcmp(s->id.host_id_from, IDENTITY_FROM_MACHINE_ID))
		snprintf(host_id, sizeof(host_id), "; host_id from the boot id, new every boot "
			 "(%s)", s->id.why);
	p_info("tracing in %s mode (vendor probes: %s; lifecycle: %s), watching %s%s%s%s%s%s",
	       mode_name(s->t.mode), vendor_label(&s->t), lifecycle_label(&s->t), watched,
	       opt->cfg.any_sysfs ? " (any sysfs)" : "", log, metrics, host_id,
	       !opt->cfg.mode && s->t.mode != MDEVVER_MODE_FENTRY ?
	       "; see 'mdevver-trace probes' for why not fentry" : "");
	if (opt->verbose && s->t.attempts[0])
		p_info("fallbacks: %s", s->t.attempts);
	if (opt->verbose) {
		if (s->t.core_btf_types)
			p_info("CO-RE target: %u types of the kernel's BTF (core_btf.c)",
			       s->t.core_btf_types);
		else
			p_info("CO-RE target: the kernel's whole BTF (libbpf's search)");
	}
}

int cmd_trace(const struct trace_options *opt)
{
	struct tracer_config cfg = opt->cfg;
	struct session *s;
	int err, ret = 1;

	s = calloc(1, sizeof(*s));
	if (!s) {
		p_err("out of memory");
		return 1;
	}
	s->opt = opt;
	s->epfd = -1;
	notify_init(&s->notify);
	s->enforcing = opt->enforce.policy_path != NULL;
	/* enforce names CAP_MAC_ADMIN too when it is missing */
	if ((s->enforcing && !opt->enforce.dry_run && privileges_require_enforce()) ||
	    require_bpf_environment())
		goto out;
	if (s->enforcing) {
		if (enforce_preflight(&s->en, &opt->enforce, &cfg))
			goto out;
		s->en_ready = true;
	}
	gethostname(s->host, sizeof(s->host) - 1);
	{
		char why[256];

		if (identity_get(&s->id, why, sizeof(why))) {
			p_err("record identity: %s", why);
			goto out;
		}
	}
	s->nodes = node_cache_new(0);
	if (!s->nodes) {
		p_err("out of memory");
		goto out;
	}
	s->rctx.host = s->host;
	s->rctx.realtime_offset_ns = record_realtime_offset_ns();
	s->rctx.nodes = s->nodes;
	/* fully buffered, flushed after every round: one write(2) per round
	 * instead of per line, and never more than one poll interval behind */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);

	/* before loading: a logrotate SIGUSR1 during start-up must not kill us */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_sigusr1);
	if (s->enforcing)
		signal(SIGHUP, on_sighup);
	if (open_sinks(s))
		goto out;
	err = tracer_start(&s->t, &cfg);
	if (err) {
		report_attach_failure(s, &cfg);
		goto out;
	}
	if (open_rings(s))
		goto out;
	print_start_line(s);
	emit_start(s);
	if (s->enforcing && start_enforcing(s))
		goto out;
	/* attached, sinks open, pinned: only what the loop needs from here */
	if (privileges_drop(opt->verbose))
		goto out;
	pipeline_flush(s->pipe);
	/* ready only now: the start (and enforce) record is out, so whatever
	 * systemd starts after this unit is traced (or judged) and logged */
	{
		char status[512];

		notify_ready(&s->notify, status_text(s, status, sizeof(status)));
	}

	err = run_loop(s);
	notify_stopping(&s->notify, err ? "stopping: polling failed" :
			"stopping: draining the rings, writing the end record");
	/* a scrape from now on is answered without waiting for a round */
	if (s->sync_on)
		drain_sync_stop(&s->sync);
	if (err)
		goto out;
	finish(s);
	ret = 0;
out:
	session_close(s, ret == 0);
	free(s);
	return ret;
}
