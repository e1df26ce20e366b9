// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * trace.c - the default command.  Attaches through attach.c, then drains the
 * ring buffer and, after every poll, compares the BPF-side loss counters with
 * what was reported so far: a loss is always visible in the stream (a "lost"
 * record / LOST line) and in the exit summary, never silent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "audit_log.h"
#include "event_fmt.h"
#include "metrics.h"
#include "kernel_features.h"
#include "mdevver_trace.skel.h"
#include "trace.h"
#include "mdevver_enforce.h"

static volatile sig_atomic_t exiting;
static volatile sig_atomic_t reopen_log;	/* SIGUSR1: logrotate moved it */
static volatile sig_atomic_t reload_policy;	/* SIGHUP (enforce) */
static int libbpf_verbosity;

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

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	if (level == LIBBPF_DEBUG && libbpf_verbosity < 2)
		return 0;
	if (libbpf_verbosity < 1)
		return 0;
	return vfprintf(stderr, fmt, args);
}

void setup_libbpf_logging(int verbosity)
{
	libbpf_verbosity = verbosity;
	libbpf_set_print(libbpf_print);
}

static bool have_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

int require_bpf_environment(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};

	if (geteuid() != 0) {
		bool ok = !syscall(SYS_capget, &hdr, data) &&
			  ((have_cap(data, 39 /* CAP_BPF */) &&
			    have_cap(data, 38 /* CAP_PERFMON */)) ||
			   have_cap(data, CAP_SYS_ADMIN));

		if (!ok) {
			fprintf(stderr, "mdevver-trace: insufficient privileges: "
				"loading BPF programs needs root (or CAP_BPF and "
				"CAP_PERFMON); run it with sudo\n");
			return -1;
		}
	}
	if (!kf_has_vmlinux_btf()) {
		fprintf(stderr, "mdevver-trace: no kernel BTF: %s is missing; "
			"this kernel needs CONFIG_DEBUG_INFO_BTF=y (CO-RE cannot "
			"relocate without it)\n", VMLINUX_BTF_PATH);
		return -1;
	}
	return 0;
}

/* Type of an mdev device directory, through its mdev_type link. */
static const char *resolve_type(const char *device_dir, char *buf, size_t sz)
{
	char link[4096], target[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "%s/mdev_type", device_dir);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return NULL;
	target[n] = '\0';
	snprintf(buf, sz, "%s", basename(target));
	return buf;
}

static int64_t realtime_offset_ns(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return ((int64_t)rt.tv_sec - mono.tv_sec) * 1000000000ll +
	       (rt.tv_nsec - mono.tv_nsec);
}

static double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct trace_state {
	const struct trace_options *opt;
	struct output_ctx out;		/* stdout: text or JSON */
	struct output_ctx audit;	/* JSON into audit_mem, then the log */
	struct audit_log *log;
	struct metrics *metrics;
	bool json_sinks;		/* audit log, metrics and/or record_cb */
	FILE *audit_mem;
	char *audit_buf;
	size_t audit_len;
	unsigned long long events;
	unsigned long long malformed;
	unsigned int batch;		/* events in this poll round */
	struct enforcer *en;		/* enforce: NULL when tracing */
};

/* Hand the record formatted into audit_mem to the JSON sinks, whole. */
static void audit_flush_record(struct trace_state *st)
{
	if (fflush(st->audit_mem) == 0 && st->audit_len) {
		if (st->log)
			audit_log_record(st->log, st->audit_buf, st->audit_len);
		if (st->metrics)
			metrics_feed(st->metrics, st->audit_buf, st->audit_len);
		if (st->opt->record_cb)
			st->opt->record_cb(st->opt->cb_ctx, st->audit_buf,
					   st->audit_len);
	}
	rewind(st->audit_mem);
}

/* Every record goes to stdout and, as JSON, to the audit log / live view. */
#define EMIT(st, fn, ...)						\
	do {								\
		if (!(st)->opt->quiet)					\
			fn(&(st)->out, __VA_ARGS__);			\
		if ((st)->json_sinks) {					\
			fn(&(st)->audit, __VA_ARGS__);			\
			audit_flush_record(st);				\
		}							\
	} while (0)
/* The same for records without a BPF timestamp: one clock reading for all. */
#define EMIT_NOW(st, fn, ...)						\
	do {								\
		uint64_t now_ = event_now_ns();				\
									\
		EMIT(st, fn, now_, __VA_ARGS__);			\
	} while (0)

#define BATCH_MAX 4096

static int handle_event(void *ctx, void *data, size_t len)
{
	struct trace_state *st = ctx;

	if (len < sizeof(struct mdevver_event)) {
		st->malformed++;
		return 0;
	}
	EMIT(st, output_event, data);
	st->events++;
	/* a deny failed closed for want of the device's own string: learn it
	 * now, so the next check is judged on facts */
	if (st->en && (((const struct mdevver_event *)data)->unknown & MDEVVER_UNK_LOCAL))
		enforce_scan_nodes(st->en, false);
	/* libbpf drains until the ring is empty; writers faster than we are
	 * would keep us there forever, deaf to SIGINT, SIGHUP and the loss
	 * counters.  Stop the round (this event is consumed already). */
	if (++st->batch >= BATCH_MAX)
		return -EAGAIN;
	return 0;
}

/* Report new losses; returns the combined total reported so far. */
static __u64 report_loss(struct trace_state *st, struct mdevver_trace_bpf *skel,
			 __u64 reported)
{
	__u64 lost = __atomic_load_n(&skel->bss->lost_events, __ATOMIC_RELAXED);
	__u64 untracked = __atomic_load_n(&skel->bss->untracked_calls,
					  __ATOMIC_RELAXED);

	if (lost + untracked > reported) {
		EMIT_NOW(st, output_lost, lost + untracked - reported, lost, untracked);
		fflush(st->out.out);
	}
	return lost + untracked;
}

static const char *vendor_label(const struct tracer *t)
{
	static const char *const labels[2][2] = {
		/* [get][check] */
		{ "none", "check" },
		{ "get", "get+check" },
	};

	return labels[t->vendor_get][t->vendor_check];
}

static const char *enforce_state_name(const struct trace_options *opt)
{
	return opt->enforce.dry_run ? "dry-run" : "on";
}

int cmd_trace(const struct trace_options *opt)
{
	struct tracer_config cfg = opt->cfg;
	struct ring_buffer *rb = NULL;
	struct enforcer en;
	bool enforcing = opt->enforce.policy_path != NULL;
	struct trace_state st;
	struct tracer t;
	char host[256] = "";
	double deadline = 0;
	__u64 reported = 0;
	int err, ret = 1;

	memset(&st, 0, sizeof(st));
	memset(&t, 0, sizeof(t));
	memset(&en, 0, sizeof(en));
	st.opt = opt;
	if (require_bpf_environment())
		return 1;
	if (enforcing) {
		if (enforce_preflight(&en, &opt->enforce, &cfg))
			return 1;
		st.en = &en;
	}
	gethostname(host, sizeof(host) - 1);
	st.out.out = stdout;
	st.out.json = opt->json;
	st.out.verbose = opt->verbose;
	st.out.host = host;
	st.out.realtime_offset_ns = realtime_offset_ns();
	st.out.resolve_type = resolve_type;
	/* fully buffered, flushed after every poll batch: one write(2) per
	 * batch instead of per line, and still never more than one poll
	 * interval behind */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (opt->audit.path || opt->audit.syslog || opt->record_cb ||
	    opt->metrics_addr) {
		st.json_sinks = true;
		st.audit = st.out;
		st.audit.json = true;
		st.audit.verbose = false;
		st.audit_mem = open_memstream(&st.audit_buf, &st.audit_len);
		if (!st.audit_mem) {
			fprintf(stderr, "mdevver-trace: audit log buffer: %s\n",
				strerror(errno));
			goto cleanup;
		}
		st.audit.out = st.audit_mem;
	}
	if (opt->audit.path || opt->audit.syslog) {
		char why[256];

		st.log = audit_log_open(&opt->audit, why, sizeof(why));
		if (!st.log) {
			fprintf(stderr, "mdevver-trace: audit log %s: %s\n",
				opt->audit.path ? opt->audit.path : "(syslog)", why);
			goto cleanup;
		}
	}

	/* before loading: a logrotate SIGUSR1 during start-up must not kill us */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_sigusr1);
	if (enforcing)
		signal(SIGHUP, on_sighup);
	if (opt->metrics_addr) {
		char why[256];

		st.metrics = metrics_start(opt->metrics_addr, why, sizeof(why));
		if (!st.metrics) {
			fprintf(stderr, "mdevver-trace: metrics: %s\n", why);
			goto cleanup;
		}
	}
	err = tracer_start(&t, &cfg);
	if (err) {
		fprintf(stderr, "mdevver-trace: %s: %s\n", enforcing && !opt->enforce.dry_run ?
			"cannot load enforcement with any attach mode" :
			"no attach mode works on this kernel", t.attempts);
		fprintf(stderr, "mdevver-trace: run 'mdevver-trace probes' for details, "
			"or -v for libbpf's messages\n");
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(t.skel->maps.events), handle_event,
			      &st, NULL);
	if (!rb) {
		fprintf(stderr, "mdevver-trace: creating ring buffer: %s\n",
			strerror(errno));
		goto cleanup;
	}

	fprintf(stderr, "mdevver-trace: tracing in %s mode (vendor probes: %s)%s%s\n",
		mode_name(t.mode), vendor_label(&t),
		t.attempts[0] ? "; fallbacks: " : "", t.attempts);
	EMIT_NOW(&st, output_start, mode_name(t.mode), t.attempts, t.vendor_get,
	     t.vendor_check);
	if (enforcing) {
		char msg[1024];

		st.out.rule_name = st.audit.rule_name = enforce_rule_name;
		st.out.rule_ctx = st.audit.rule_ctx = &en;
		if (enforce_activate(&en, &t, msg, sizeof(msg))) {
			fprintf(stderr, "mdevver-trace: enforcement: %s\n", msg);
			goto cleanup;
		}
		fprintf(stderr, "mdevver-trace: enforcing %s (%s): %zu rules%s%s\n",
			opt->enforce.policy_path, opt->enforce.dry_run ?
			"dry run: nothing is refused, matches are reported as would-deny" :
			"BPF LSM", en.n_rules, msg[0] ? "; " : "", msg);
		EMIT_NOW(&st, output_enforce, enforce_state_name(opt),
			 opt->enforce.policy_path, en.n_rules, en.active_gen, NULL);
		if (en.adopted_lost)
			EMIT_NOW(&st, output_lost, en.adopted_lost, en.adopted_lost, 0);
	}
	if (!opt->quiet)
		output_text_header(&st.out);
	fflush(stdout);

	if (opt->duration_s > 0)
		deadline = monotonic_s() + opt->duration_s;
	while (!exiting) {
		st.batch = 0;
		err = ring_buffer__poll(rb, MDEVVER_POLL_MS);
		/* the BPF side wakes us only when the ring fills up (see
		 * submit_event): a poll that timed out must still drain */
		if (err >= 0)
			err = ring_buffer__consume(rb);
		if (err < 0 && err != -EINTR && err != -EAGAIN) {
			fprintf(stderr, "mdevver-trace: polling ring buffer: %s\n",
				strerror(-err));
			goto cleanup;
		}
		reported = report_loss(&st, t.skel, reported);
		if (enforcing)
			enforce_note_reported_loss(&en, reported);
		fflush(stdout);
		if (st.metrics && st.log)
			metrics_set_audit_dropped(st.metrics, audit_log_dropped(st.log));
		if (reopen_log && st.log) {
			reopen_log = 0;
			audit_log_reopen(st.log);
		}
		if (reload_policy && enforcing) {
			char msg[1024];

			reload_policy = 0;
			if (enforce_reload(&en, msg, sizeof(msg))) {
				fprintf(stderr, "mdevver-trace: reload of %s rejected, the previous policy stays: %s\n",
					opt->enforce.policy_path, msg);
				EMIT_NOW(&st, output_enforce, enforce_state_name(opt),
					 opt->enforce.policy_path, 0, 0, msg);
			} else {
				fprintf(stderr, "mdevver-trace: reloaded %s: %s\n",
					opt->enforce.policy_path, msg);
				EMIT_NOW(&st, output_enforce, enforce_state_name(opt),
					 opt->enforce.policy_path, en.n_rules, en.active_gen, NULL);
			}
			fflush(stdout);
		}
		if (deadline && monotonic_s() >= deadline)
			break;
		if (opt->tick_cb && opt->tick_cb(opt->cb_ctx))
			break;
	}
	/* drain what is still queued (bounded: writers may still be going),
	 * then the final loss count */
	for (int i = 0; i < 64; i++) {
		st.batch = 0;
		if (ring_buffer__consume(rb) != -EAGAIN)
			break;
	}
	reported = report_loss(&st, t.skel, reported);
	EMIT_NOW(&st, output_end, st.events, t.skel->bss->lost_events,
	     t.skel->bss->untracked_calls);
	fflush(stdout);
	if (opt->stop_cb)
		opt->stop_cb(opt->cb_ctx);
	fprintf(stderr, "mdevver-trace: %llu events, %llu lost\n", st.events,
		(unsigned long long)reported);
	if (st.malformed)
		fprintf(stderr, "mdevver-trace: %llu malformed records ignored\n",
			st.malformed);
	if (t.skel->bss->judge_slots_busy)
		fprintf(stderr, "mdevver-trace: %llu checks refused without a judgement "
			"(no free judgement slot; each has a no-judgement-slot event)\n",
			(unsigned long long)t.skel->bss->judge_slots_busy);
	if (st.log && opt->audit.path && audit_log_dropped(st.log))
		fprintf(stderr, "mdevver-trace: %llu records could not be written to %s\n",
			(unsigned long long)audit_log_dropped(st.log),
			opt->audit.path);
	ret = 0;
cleanup:
	if (enforcing) {
		if (opt->enforce.pin && !ret)
			fprintf(stderr, "mdevver-trace: enforcement stays pinned in %s; "
				"'mdevver-trace unpin' removes it\n", MDEVVER_PIN_DIR);
		enforce_finish(&en, opt->enforce.pin);
	}
	ring_buffer__free(rb);
	tracer_stop(&t);
	if (st.log)
		audit_log_close(st.log);
	metrics_stop(st.metrics);
	if (st.audit_mem)
		fclose(st.audit_mem);
	free(st.audit_buf);
	return ret;
}
