// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * metrics.c - counters for Prometheus.  libmicrohttpd serves them from its
 * own thread, so every counter is behind one mutex; the tracer's thread
 * only takes it to add a record.  Label sets are few (outcomes x types x
 * rules), kept in a small array.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "json_record.h"
#include "metrics.h"

#define SERIES_MAX 1024
#define LABEL_MAX 96

enum series_kind { S_CHECK, S_READ, S_DENIED };

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
	uint64_t lost, audit_dropped, records, bad_records;
	char mode[16];
};

static void add(struct metrics *m, enum series_kind kind, const char *a,
		const char *b)
{
	struct series *s;

	for (size_t i = 0; i < m->n_series; i++) {
		s = &m->series[i];
		if (s->kind == kind && !strcmp(s->a, a) && !strcmp(s->b, b)) {
			s->value++;
			return;
		}
	}
	if (m->n_series == SERIES_MAX) {
		m->series_overflow++;
		return;
	}
	s = &m->series[m->n_series++];
	s->kind = kind;
	snprintf(s->a, sizeof(s->a), "%s", a);
	snprintf(s->b, sizeof(s->b), "%s", b);
	s->value = 1;
}

void metrics_feed(struct metrics *m, const char *line, size_t len)
{
	struct json_object *o = json_record_parse(line, len);
	const char *event;

	pthread_mutex_lock(&m->lock);
	if (!o) {
		m->bad_records++;
		goto out;
	}
	event = json_record_str(o, "event");
	m->records++;
	if (!strcmp(event, "check") || !strcmp(event, "read")) {
		const char *outcome = json_record_str(o, "outcome");
		const char *type = json_record_str(o, "mdev_type");
		const char *rule = json_record_str(o, "rule");

		add(m, strcmp(event, "check") ? S_READ : S_CHECK,
		    outcome ? outcome : "unknown", type ? type : "unknown");
		if (outcome && !strcmp(outcome, "denied"))
			add(m, S_DENIED, rule ? rule : "unknown", "");
	} else if (!strcmp(event, "lost")) {
		m->lost += (uint64_t)json_record_i64(o, "lost");
	} else if (!strcmp(event, "start")) {
		const char *mode = json_record_str(o, "mode");

		snprintf(m->mode, sizeof(m->mode), "%s", mode ? mode : "unknown");
	}
out:
	pthread_mutex_unlock(&m->lock);
	json_object_put(o);
}

void metrics_set_audit_dropped(struct metrics *m, uint64_t dropped)
{
	pthread_mutex_lock(&m->lock);
	m->audit_dropped = dropped;
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
	fprintf(f, "# HELP mdevver_lost_events_total Events the kernel could not deliver (ring buffer full).\n"
		"# TYPE mdevver_lost_events_total counter\nmdevver_lost_events_total %llu\n",
		(unsigned long long)m->lost);
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
		char *body = metrics_render(m, &len);

		if (!body)
			return MHD_NO;
		resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
		MHD_add_response_header(resp, "Content-Type",
					"text/plain; version=0.0.4; charset=utf-8");
	} else {
		static char not_found[] = "not found: metrics are at /metrics\n";

		status = MHD_HTTP_NOT_FOUND;
		resp = MHD_create_response_from_buffer(strlen(not_found), not_found,
						       MHD_RESPMEM_PERSISTENT);
	}
	if (!resp)
		return MHD_NO;
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
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

struct metrics *metrics_start(const char *addr, char *err, size_t errsz)
{
	struct sockaddr_storage ss;
	struct metrics *m;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

	if (parse_addr(addr, &ss, err, errsz))
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
	m->daemon = MHD_start_daemon(flags, 0, NULL, NULL, serve, m,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				     MHD_OPTION_CONNECTION_LIMIT, 16u,
				     MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				     MHD_OPTION_END);
	if (!m->daemon) {
		snprintf(err, errsz, "cannot listen on %s: %s", addr,
			 errno ? strerror(errno) : "libmicrohttpd failed");
		pthread_mutex_destroy(&m->lock);
		free(m);
		return NULL;
	}
	return m;
}

void metrics_stop(struct metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->daemon);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
