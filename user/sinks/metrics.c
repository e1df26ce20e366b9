// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * metrics.c - counters for Prometheus.  libmicrohttpd serves them from its
 * own thread, so every counter is behind one mutex; the tracer's thread
 * only takes it to add a record.  Label sets are few (outcomes x types x
 * rules), kept in a small array.  libmicrohttpd is loaded by metrics_start
 * (mhd_lib.h): a run without --metrics never maps it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "metrics.h"
#include "mhd_lib.h"

#define SERIES_MAX 1024
#define LABEL_MAX 96

/* set by metrics_start before the daemon (and so serve) runs */
static const struct mhd_lib *mhd;

/* upper bounds: seconds of downtime, bytes moved (4 KiB .. 64 GiB) */
static const double downtime_le[] = { 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60 };
#define DOWNTIME_BUCKETS (sizeof(downtime_le) / sizeof(downtime_le[0]))
static const uint64_t bytes_le[] = { 1ull << 12, 1ull << 16, 1ull << 20, 1ull << 24,
				     1ull << 28, 1ull << 32, 1ull << 36 };
#define BYTES_BUCKETS (sizeof(bytes_le) / sizeof(bytes_le[0]))

enum series_kind { S_CHECK, S_READ, S_DENIED, S_MIGRATION };

struct series {
	enum series_kind kind;
	char a[LABEL_MAX];	/* outcome, or rule */
	char b[LABEL_MAX];	/* mdev type */
	uint64_t value;
};

struct metrics {
	pthread_mutex_t lock;
	struct MHD_Daemon *daemon;
	struct series series[SERIES_MAX];
	size_t n_series;
	uint64_t series_overflow;
	uint64_t lost, lost_checks, lost_reads;
	uint64_t coalesced_checks, coalesced_reads;
	uint64_t strict_refused;
	uint64_t audit_dropped, records;
	uint64_t lost_lifecycle;
	char mode[16];
	/* migrations (record/migration.h): histograms of the time a device
	 * was stopped and of the bytes it moved; no per-device or VM labels
	 * (unbounded), the type is on mdevver_migrations_total */
	uint64_t downtime_buckets[DOWNTIME_BUCKETS + 1];
	double downtime_sum;
	uint64_t bytes_buckets[BYTES_BUCKETS + 1];
	uint64_t bytes_sum, bytes_count;
	void (*sync)(void *ctx);
	void *sync_ctx;
	/* libmicrohttpd's last message: ours to word, not a stray stderr line */
	char mhd_msg[256];
};

/* Label values as the label set keeps them: cut at LABEL_MAX - 1 bytes
 * (and at a NUL: exposition labels are text). */
static size_t label_len(struct bytes v)
{
	size_t n = v.len < LABEL_MAX - 1 ? v.len : LABEL_MAX - 1;
	const char *nul = memchr(v.p, '\0', n);

	return nul ? (size_t)(nul - v.p) : n;
}

static bool label_is(const char *have, struct bytes want)
{
	size_t n = label_len(want);

	return !memcmp(have, want.p, n) && have[n] == '\0';
}

static void add(struct metrics *m, enum series_kind kind, struct bytes a,
		struct bytes b, uint64_t n)
{
	struct series *s;

	/* few label sets (outcomes x types x rules): a scan is cheapest */
	for (size_t i = 0; i < m->n_series; i++) {
		s = &m->series[i];
		if (s->kind == kind && label_is(s->a, a) && label_is(s->b, b)) {
			s->value += n;
			return;
		}
	}
	if (m->n_series == SERIES_MAX) {
		/* a series made at 0 (below) loses no count: not a drop */
		if (n)
			m->series_overflow++;
		return;
	}
	s = &m->series[m->n_series++];
	s->kind = kind;
	memcpy(s->a, a.p, label_len(a));
	s->a[label_len(a)] = '\0';
	memcpy(s->b, b.p, label_len(b));
	s->b[label_len(b)] = '\0';
	s->value = n;
}

static struct bytes cs(const char *s)
{
	return (struct bytes){ s, strlen(s) };
}

static struct bytes or_unknown(struct bytes v)
{
	return v.p ? v : cs("unknown");
}

void metrics_record(struct metrics *m, const struct record *r)
{
	pthread_mutex_lock(&m->lock);
	m->records++;
	switch (r->kind) {
	case RECORD_CHECK:
	case RECORD_READ: {
		/* a record stands for count calls: counters are of calls */
		uint64_t n = r->ev.count ? r->ev.count : 1;
		struct bytes outcome = r->ev.outcome ? cs(r->ev.outcome) : cs("unknown");

		/* A type's first check creates its compatible and incompatible
		 * series at 0: Prometheus' increase() needs a sample before the
		 * first incompatible check to see it, and the alert "a type
		 * that was compatible turns incompatible" is exactly that
		 * first one (dist/prometheus/, docs/metrics.md).  With the label sets
		 * all taken they are not made, and not counted as dropped. */
		if (r->kind == RECORD_CHECK) {
			add(m, S_CHECK, cs("compatible"), or_unknown(r->ev.node.mdev_type), 0);
			add(m, S_CHECK, cs("incompatible"), or_unknown(r->ev.node.mdev_type), 0);
		}
		add(m, r->kind == RECORD_CHECK ? S_CHECK : S_READ, outcome,
		    or_unknown(r->ev.node.mdev_type), n);
		if (r->ev.outcome && !strcmp(r->ev.outcome, "denied"))
			add(m, S_DENIED, r->ev.rule ? cs(r->ev.rule) : cs("unknown"),
			    cs(""), n);
		if (r->kind == RECORD_CHECK)
			m->coalesced_checks += n - 1;
		else
			m->coalesced_reads += n - 1;
		break;
	}
	case RECORD_MIGRATION: {
		double secs = r->mig.stopped_ns / 1e9;
		size_t i;

		add(m, S_MIGRATION, cs(r->mig.outcome ? r->mig.outcome : "unknown"),
		    or_unknown(r->mig.mdev_type), 1);
		for (i = 0; i < DOWNTIME_BUCKETS && secs > downtime_le[i]; i++)
			;
		m->downtime_buckets[i]++;	/* [DOWNTIME_BUCKETS]: +Inf only */
		m->downtime_sum += secs;
		if (r->mig.has_bytes) {
			for (i = 0; i < BYTES_BUCKETS && r->mig.bytes > bytes_le[i]; i++)
				;
			m->bytes_buckets[i]++;
			m->bytes_sum += r->mig.bytes;
			m->bytes_count++;
		}
		break;
	}
	case RECORD_LOST:
		m->lost += r->lost.lost;
		m->lost_checks += r->lost.lost_checks;
		m->lost_reads += r->lost.lost_reads;
		break;
	case RECORD_START:
		snprintf(m->mode, sizeof(m->mode), "%s",
			 r->start.mode ? r->start.mode : "unknown");
		break;
	case RECORD_END:
		m->strict_refused = r->end.strict_refused;
		m->lost_lifecycle = r->end.lost_lifecycle;
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&m->lock);
}

struct metrics_sink {
	struct sink base;
	struct metrics *m;
};

static void sink_record(struct sink *s, struct pipeline *p, const struct record *r)
{
	(void)p;
	metrics_record(((struct metrics_sink *)s)->m, r);
}

static void sink_close(struct sink *s)
{
	free(s);	/* never m: it may be stopped already */
}

static const struct sink_ops metrics_sink_ops = {
	.name = "metrics",
	.record = sink_record,
	.close = sink_close,
};

struct sink *metrics_sink(struct metrics *m)
{
	struct metrics_sink *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->base.ops = &metrics_sink_ops;
	s->m = m;
	return &s->base;
}

void metrics_set_strict_refused(struct metrics *m, uint64_t refused)
{
	pthread_mutex_lock(&m->lock);
	m->strict_refused = refused;
	pthread_mutex_unlock(&m->lock);
}

void metrics_set_sync(struct metrics *m, void (*sync)(void *ctx), void *ctx)
{
	pthread_mutex_lock(&m->lock);
	m->sync = sync;
	m->sync_ctx = ctx;
	pthread_mutex_unlock(&m->lock);
}

void metrics_set_audit_dropped(struct metrics *m, uint64_t dropped)
{
	pthread_mutex_lock(&m->lock);
	m->audit_dropped = dropped;
	pthread_mutex_unlock(&m->lock);
}

void metrics_set_lost_lifecycle(struct metrics *m, uint64_t lost)
{
	pthread_mutex_lock(&m->lock);
	m->lost_lifecycle = lost;
	pthread_mutex_unlock(&m->lock);
}

/* Label values: backslash, double quote and newline are escaped. */
static void put_label(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void put_family(FILE *f, struct metrics *m, enum series_kind kind,
		       const char *name, const char *help, const char *la,
		       const char *lb)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
	for (size_t i = 0; i < m->n_series; i++) {
		const struct series *s = &m->series[i];

		if (s->kind != kind)
			continue;
		fprintf(f, "%s{%s=\"", name, la);
		put_label(f, s->a);
		if (lb) {
			fprintf(f, "\",%s=\"", lb);
			put_label(f, s->b);
		}
		fprintf(f, "\"} %llu\n", (unsigned long long)s->value);
	}
}

/* Cumulative buckets, as the exposition format wants them. */
static void put_histograms(FILE *f, const struct metrics *m)
{
	uint64_t cum = 0, n = 0;

	for (size_t i = 0; i <= DOWNTIME_BUCKETS; i++)
		n += m->downtime_buckets[i];
	fputs("# HELP mdevver_migration_downtime_seconds Time a migrating device spent stopped (outside RUNNING and PRE_COPY), per device session.\n"
	      "# TYPE mdevver_migration_downtime_seconds histogram\n", f);
	for (size_t i = 0; i < DOWNTIME_BUCKETS; i++) {
		cum += m->downtime_buckets[i];
		fprintf(f, "mdevver_migration_downtime_seconds_bucket{le=\"%g\"} %llu\n",
			downtime_le[i], (unsigned long long)cum);
	}
	fprintf(f, "mdevver_migration_downtime_seconds_bucket{le=\"+Inf\"} %llu\n"
		"mdevver_migration_downtime_seconds_sum %.9f\n"
		"mdevver_migration_downtime_seconds_count %llu\n",
		(unsigned long long)n, m->downtime_sum, (unsigned long long)n);
	cum = 0;
	fputs("# HELP mdevver_migration_bytes Bytes a device session moved through its migration data file.\n"
	      "# TYPE mdevver_migration_bytes histogram\n", f);
	for (size_t i = 0; i < BYTES_BUCKETS; i++) {
		cum += m->bytes_buckets[i];
		fprintf(f, "mdevver_migration_bytes_bucket{le=\"%llu\"} %llu\n",
			(unsigned long long)bytes_le[i], (unsigned long long)cum);
	}
	fprintf(f, "mdevver_migration_bytes_bucket{le=\"+Inf\"} %llu\n"
		"mdevver_migration_bytes_sum %llu\nmdevver_migration_bytes_count %llu\n",
		(unsigned long long)m->bytes_count, (unsigned long long)m->bytes_sum,
		(unsigned long long)m->bytes_count);
}

char *metrics_render(struct metrics *m, size_t *len)
{
	static const char *const modes[] = { "fentry", "kprobe", "syscall" };
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	pthread_mutex_lock(&m->lock);
	put_family(f, m, S_CHECK, "mdevver_checks_total",
		   "Compatibility checks (writes of a remote version string) by outcome and mdev type.",
		   "outcome", "mdev_type");
	put_family(f, m, S_READ, "mdevver_reads_total",
		   "Reads of a version attribute by outcome and mdev type.",
		   "outcome", "mdev_type");
	put_family(f, m, S_DENIED, "mdevver_denied_total",
		   "Checks denied by an enforcement rule, by rule.", "rule", NULL);
	put_family(f, m, S_MIGRATION, "mdevver_migrations_total",
		   "Device sessions with migration state changes (VFIO migration uAPI v2), by outcome and mdev type.",
		   "outcome", "mdev_type");
	put_histograms(f, m);
	fprintf(f, "# HELP mdevver_lost_events_total Checks and reads not delivered individually (lost checks + lost reads, every cause: docs/metrics.md).\n"
		"# TYPE mdevver_lost_events_total counter\nmdevver_lost_events_total %llu\n",
		(unsigned long long)m->lost);
	fprintf(f, "# HELP mdevver_lost_checks_total Checks not delivered individually (ring full, or a repeat whose run could not be reported).\n"
		"# TYPE mdevver_lost_checks_total counter\nmdevver_lost_checks_total %llu\n",
		(unsigned long long)m->lost_checks);
	fprintf(f, "# HELP mdevver_lost_reads_total Reads not delivered individually.\n"
		"# TYPE mdevver_lost_reads_total counter\nmdevver_lost_reads_total %llu\n",
		(unsigned long long)m->lost_reads);
	fprintf(f, "# HELP mdevver_lost_lifecycle_total Lifecycle records (mdev create/remove, VFIO open/close, migration state changes) the kernel could not deliver (ring buffer full).\n"
		"# TYPE mdevver_lost_lifecycle_total counter\nmdevver_lost_lifecycle_total %llu\n",
		(unsigned long long)m->lost_lifecycle);
	fprintf(f, "# HELP mdevver_coalesced_checks_total Checks delivered inside another check's record (identical repeats).\n"
		"# TYPE mdevver_coalesced_checks_total counter\nmdevver_coalesced_checks_total %llu\n",
		(unsigned long long)m->coalesced_checks);
	fprintf(f, "# HELP mdevver_coalesced_reads_total Reads delivered inside another read's record (identical repeats).\n"
		"# TYPE mdevver_coalesced_reads_total counter\nmdevver_coalesced_reads_total %llu\n",
		(unsigned long long)m->coalesced_reads);
	fprintf(f, "# HELP mdevver_strict_refused_total Checks refused (enforce --strict) because they could not be recorded.\n"
		"# TYPE mdevver_strict_refused_total counter\nmdevver_strict_refused_total %llu\n",
		(unsigned long long)m->strict_refused);
	fprintf(f, "# HELP mdevver_audit_records_dropped_total Records the audit log could not write.\n"
		"# TYPE mdevver_audit_records_dropped_total counter\nmdevver_audit_records_dropped_total %llu\n",
		(unsigned long long)m->audit_dropped);
	fprintf(f, "# HELP mdevver_metric_series_dropped_total Label sets beyond the %d kept.\n"
		"# TYPE mdevver_metric_series_dropped_total counter\nmdevver_metric_series_dropped_total %llu\n",
		SERIES_MAX, (unsigned long long)m->series_overflow);
	fprintf(f, "# HELP mdevver_attach_mode Attach mode in use (1) and the others (0).\n"
		"# TYPE mdevver_attach_mode gauge\n");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		fprintf(f, "mdevver_attach_mode{mode=\"%s\"} %d\n", modes[i],
			!strcmp(m->mode, modes[i]));
	pthread_mutex_unlock(&m->lock);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *conn,
			     const char *url, const char *method,
			     const char *version, const char *upload_data,
			     size_t *upload_size, void **con_cls)
{
	struct metrics *m = cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	unsigned int status = MHD_HTTP_OK;
	size_t len = 0;

	(void)version, (void)upload_data, (void)upload_size, (void)con_cls;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return MHD_NO;
	if (!strcmp(url, "/metrics")) {
		void (*sync)(void *ctx);
		void *sync_ctx;
		char *body;

		pthread_mutex_lock(&m->lock);
		sync = m->sync;
		sync_ctx = m->sync_ctx;
		pthread_mutex_unlock(&m->lock);
		/* outside the lock: the tracer's round takes it to add records */
		if (sync)
			sync(sync_ctx);
		body = metrics_render(m, &len);

		if (!body)
			return MHD_NO;
		resp = mhd->MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
		mhd->MHD_add_response_header(resp, "Content-Type",
					"text/plain; version=0.0.4; charset=utf-8");
	} else {
		static char not_found[] = "not found: metrics are at /metrics\n";

		status = MHD_HTTP_NOT_FOUND;
		resp = mhd->MHD_create_response_from_buffer(strlen(not_found), not_found,
						       MHD_RESPMEM_PERSISTENT);
	}
	if (!resp)
		return MHD_NO;
	ret = mhd->MHD_queue_response(conn, status, resp);
	mhd->MHD_destroy_response(resp);
	return ret;
}

/* "127.0.0.1:9464", ":9464", "[::1]:9464" -> a socket address. */
static int parse_addr(const char *addr, struct sockaddr_storage *ss,
		      char *err, size_t errsz)
{
	char host[256], *port;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV | AI_PASSIVE };
	struct addrinfo *res = NULL;
	int rc;

	if (snprintf(host, sizeof(host), "%s", addr) >= (int)sizeof(host))
		goto bad;
	port = strrchr(host, ':');
	if (!port || !port[1])
		goto bad;
	*port++ = '\0';
	{
		char *end;
		long p = strtol(port, &end, 10);

		if (*end || p < 1 || p > 65535) {
			snprintf(err, errsz, "%s: port must be 1 to 65535", addr);
			return -1;
		}
	}
	if (host[0] == '[') {
		size_t n = strlen(host);

		if (n < 2 || host[n - 1] != ']')
			goto bad;
		host[n - 1] = '\0';
		memmove(host, host + 1, n - 1);
	}
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (rc) {
		snprintf(err, errsz, "%s: %s", addr, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
bad:
	snprintf(err, errsz, "%s: expected HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464", addr);
	return -1;
}

/*
 * libmicrohttpd writes its errors to stderr itself ("Failed to bind to
 * port ...") before we can say anything: keep its last message instead,
 * one line, for our own error (and drop what it says while serving: a
 * client's broken connection is not the operator's business).
 */
static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	struct metrics *m = cls;
	size_t n;

	vsnprintf(m->mhd_msg, sizeof(m->mhd_msg), fmt, ap);
	n = strcspn(m->mhd_msg, "\n");
	m->mhd_msg[n] = '\0';
}

struct metrics *metrics_start(const char *addr, char *err, size_t errsz)
{
	struct sockaddr_storage ss;
	struct metrics *m;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

	if (parse_addr(addr, &ss, err, errsz))
		return NULL;
	mhd = mhd_lib(err, errsz);
	if (!mhd)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	snprintf(m->mode, sizeof(m->mode), "unknown");
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	m->daemon = mhd->MHD_start_daemon(flags, 0, NULL, NULL, serve, m,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				     MHD_OPTION_CONNECTION_LIMIT, 16u,
				     MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				     MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, m,
				     MHD_OPTION_END);
	if (!m->daemon) {
		int e = errno;

		snprintf(err, errsz, "cannot listen on %s: %s", addr,
			 e ? strerror(e) : m->mhd_msg[0] ? m->mhd_msg : "libmicrohttpd failed");
		pthread_mutex_destroy(&m->lock);
		free(m);
		return NULL;
	}
	return m;
}

struct metrics *metrics_new_unserved(void)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	pthread_mutex_init(&m->lock, NULL);
	snprintf(m->mode, sizeof(m->mode), "unknown");
	return m;
}

void metrics_stop(struct metrics *m)
{
	if (!m)
		return;
	if (m->daemon)
		mhd->MHD_stop_daemon(m->daemon);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
