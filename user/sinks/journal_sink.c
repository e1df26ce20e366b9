// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * journal_sink.c - records to the systemd journal (journal_sink.h).
 *
 * One sd_journal_sendv per record: the fields are built into one buffer
 * ("KEY=value" one after another), then pointed at by an iovec each.
 * Every string from the kernel, a process or a file is C-escaped
 * (record/escape.h) before it becomes a field: journalctl prints fields
 * to terminals.  The whole JSON record rides along as MDEVVER_JSON, so a
 * shipper reading the journal (rsyslog imjournal) forwards the same
 * record the audit log holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>

#include "audit_log.h"
#include "escape.h"
#include "journal_sink.h"
#include "log.h"
#include "sd_lib.h"
#include "strbuf.h"
#include "text_fmt.h"

#define FIELDS_MAX 40

struct journal_sink {
	struct sink base;
	const struct sd_lib *sd;	/* libsystemd, loaded with the sink */
	struct strbuf buf;		/* the fields of the current record */
	size_t start[FIELDS_MAX], end[FIELDS_MAX];
	size_t n;
	struct strbuf line;		/* the text line (MESSAGE) */
	uint64_t failed;
	bool warned;
};

static void begin(struct journal_sink *j, const char *key)
{
	if (j->n == FIELDS_MAX)
		return;
	j->start[j->n] = j->buf.len;
	sb_puts(&j->buf, key);
	sb_putc(&j->buf, '=');
}

static void end(struct journal_sink *j)
{
	if (j->n < FIELDS_MAX)
		j->end[j->n++] = j->buf.len;
}

/* A value from the kernel, a process or a file: C-escaped. */
static void field_bytes(struct journal_sink *j, const char *key, const char *p, size_t len)
{
	size_t room;

	if (!p)
		return;			/* absent: no field (JSON says null) */
	begin(j, key);
	room = len * 4 + 1;		/* c_escape's worst case: \xNN per byte */
	if (sb_reserve(&j->buf, room))
		j->buf.len += c_escape(j->buf.p + j->buf.len, room, p, len);
	end(j);
}

static void field_str(struct journal_sink *j, const char *key, const char *v)
{
	if (v)
		field_bytes(j, key, v, strlen(v));
}

static void field_b(struct journal_sink *j, const char *key, struct bytes v)
{
	field_bytes(j, key, v.p, v.len);
}

static void field_u64(struct journal_sink *j, const char *key, uint64_t v)
{
	begin(j, key);
	sb_u64(&j->buf, v);
	end(j);
}

static void field_i64(struct journal_sink *j, const char *key, int64_t v)
{
	begin(j, key);
	sb_i64(&j->buf, v);
	end(j);
}

/* Kinds without a text line (the text output says them on stderr). */
static void message_of(struct strbuf *b, const struct record *r)
{
	char esc[256];

	switch (r->kind) {
	case RECORD_START:
		sb_puts(b, "tracing started in ");
		sb_puts(b, r->start.mode ? r->start.mode : "?");
		sb_puts(b, " mode");
		break;
	case RECORD_END:
		sb_puts(b, "tracing ended: ");
		sb_u64(b, r->end.checks);
		sb_puts(b, " checks, ");
		sb_u64(b, r->end.reads);
		sb_puts(b, " reads, ");
		sb_u64(b, r->end.lost_checks + r->end.lost_reads);
		sb_puts(b, " lost");
		break;
	case RECORD_ENFORCE:
		c_escape(esc, sizeof(esc), r->enforce.policy ? r->enforce.policy : "",
			 r->enforce.policy ? strlen(r->enforce.policy) : 0);
		sb_puts(b, r->enforce.error ? "policy reload rejected: " : "policy in force: ");
		sb_puts(b, esc);
		break;
	default:
		break;
	}
}

static void event_fields(struct journal_sink *j, const struct record_event *ev)
{
	field_str(j, "MDEVVER_OUTCOME", ev->outcome);
	field_b(j, "MDEVVER_MDEV_TYPE", ev->node.mdev_type);
	field_b(j, "MDEVVER_PATH", ev->node.path);
	field_b(j, "MDEVVER_ATTR", ev->node.attr);
	field_b(j, "MDEVVER_PARENT", ev->node.parent);
	field_b(j, "MDEVVER_DEVICE", ev->node.device);
	field_str(j, "MDEVVER_SCOPE", ev->scope);
	field_b(j, "MDEVVER_BYTES", ev->data);
	field_u64(j, "MDEVVER_COUNT", ev->count ? ev->count : 1);
	field_i64(j, "MDEVVER_RET", ev->ret);
	field_str(j, "MDEVVER_ERRNO_NAME", ev->errno_name);
	field_str(j, "MDEVVER_MODE", ev->mode);
	field_u64(j, "MDEVVER_PID", ev->pid);
	field_u64(j, "MDEVVER_UID", ev->uid);
	field_b(j, "MDEVVER_COMM", ev->comm);
	field_str(j, "MDEVVER_VERDICT", ev->verdict);
	field_str(j, "MDEVVER_RULE", ev->rule);
}

static void kind_fields(struct journal_sink *j, const struct record *r)
{
	switch (r->kind) {
	case RECORD_CHECK:
	case RECORD_READ:
		event_fields(j, &r->ev);
		break;
	case RECORD_START:
		field_str(j, "MDEVVER_MODE", r->start.mode);
		field_str(j, "MDEVVER_HOST_ID_FROM", r->start.host_id_from);
		break;
	case RECORD_LOST:
		field_u64(j, "MDEVVER_LOST", r->lost.lost);
		field_u64(j, "MDEVVER_LOST_CHECKS", r->lost.lost_checks);
		field_u64(j, "MDEVVER_LOST_READS", r->lost.lost_reads);
		break;
	case RECORD_END:
		field_u64(j, "MDEVVER_CHECKS", r->end.checks);
		field_u64(j, "MDEVVER_READS", r->end.reads);
		field_u64(j, "MDEVVER_LOST", r->end.lost_checks + r->end.lost_reads);
		break;
	case RECORD_ENFORCE:
		field_str(j, "MDEVVER_STATE", r->enforce.state);
		field_str(j, "MDEVVER_POLICY", r->enforce.policy);
		field_str(j, "MDEVVER_ERROR", r->enforce.error);
		break;
	case RECORD_LIFECYCLE:
		field_str(j, "MDEVVER_WHAT", r->life.what);
		field_b(j, "MDEVVER_MDEV_TYPE", r->life.mdev_type);
		field_b(j, "MDEVVER_DEVICE", r->life.device);
		field_b(j, "MDEVVER_PARENT", r->life.parent);
		field_str(j, "MDEVVER_ERRNO_NAME", r->life.errno_name);
		field_str(j, "MDEVVER_FROM", r->life.to ? r->life.from : NULL);
		field_str(j, "MDEVVER_TO", r->life.to);
		field_u64(j, "MDEVVER_PID", r->life.who.pid);
		field_b(j, "MDEVVER_COMM", r->life.who.comm);
		field_b(j, "MDEVVER_VM", r->life.who.vm);
		break;
	case RECORD_MIGRATION:
		field_str(j, "MDEVVER_OUTCOME", r->mig.outcome);
		field_str(j, "MDEVVER_ROLE", r->mig.role);
		field_str(j, "MDEVVER_STATES", r->mig.path);
		field_b(j, "MDEVVER_MDEV_TYPE", r->mig.mdev_type);
		field_b(j, "MDEVVER_DEVICE", r->mig.device);
		field_str(j, "MDEVVER_ERRNO_NAME", r->mig.errno_name);
		field_u64(j, "MDEVVER_PID", r->mig.who.pid);
		field_b(j, "MDEVVER_COMM", r->mig.who.comm);
		field_b(j, "MDEVVER_VM", r->mig.who.vm);
		break;
	case RECORD_KINDS:
		break;
	}
}

static void journal_record(struct sink *s, struct pipeline *p, const struct record *r)
{
	struct journal_sink *j = (struct journal_sink *)s;
	struct iovec iov[FIELDS_MAX];
	const char *json;
	size_t len;
	int prio = audit_log_priority(r), err;

	sb_reset(&j->buf);
	sb_reset(&j->line);
	j->buf.oom = j->line.oom = false;
	j->n = 0;
	/* MESSAGE: the text output's line (escaped there) */
	text_fmt_record(&j->line, r, false);
	if (!j->line.len)
		message_of(&j->line, r);
	while (j->line.len && j->line.p[j->line.len - 1] == '\n')
		j->line.len--;
	begin(j, "MESSAGE");
	sb_put(&j->buf, j->line.p ? j->line.p : "", j->line.len);
	end(j);
	/* the kinds syslog does not get (start, end, enforce): notices */
	begin(j, "PRIORITY");
	sb_u64(&j->buf, (uint64_t)(prio < 0 ? LOG_NOTICE : prio));
	end(j);
	begin(j, "SYSLOG_IDENTIFIER");
	sb_puts(&j->buf, "mdevver-trace");
	end(j);
	field_str(j, "MDEVVER_EVENT", record_kind_name(r->kind));
	field_str(j, "MDEVVER_HOST", r->host);
	if (r->seq) {
		field_str(j, "MDEVVER_HOST_ID", r->host_id);
		field_str(j, "MDEVVER_BOOT_ID", r->boot_id);
		field_str(j, "MDEVVER_RUN_ID", r->run_id);
		field_u64(j, "MDEVVER_SEQ", r->seq);
	}
	kind_fields(j, r);
	json = pipeline_json(p, r, &len);
	if (json) {
		begin(j, "MDEVVER_JSON");
		sb_put(&j->buf, json, len && json[len - 1] == '\n' ? len - 1 : len);
		end(j);
	}
	if (j->buf.oom || j->line.oom) {
		j->failed++;
		return;
	}
	for (size_t i = 0; i < j->n; i++) {
		iov[i].iov_base = j->buf.p + j->start[i];
		iov[i].iov_len = j->end[i] - j->start[i];
	}
	err = j->sd->sd_journal_sendv_with_location("CODE_FILE=" __FILE__,
						    "CODE_LINE=" _SD_STRINGIFY(__LINE__),
						    __func__, iov, (int)j->n);
	if (err < 0) {
		j->failed++;
		/* once: the journal may come back, the count says the rest */
		if (!j->warned)
			p_warn("journal: %s; records not sent are counted at the end",
			       strerror(-err));
		j->warned = true;
	}
}

static void journal_close(struct sink *s)
{
	struct journal_sink *j = (struct journal_sink *)s;

	if (j->failed)
		p_warn("%llu records could not be sent to the journal",
		       (unsigned long long)j->failed);
	sb_free(&j->buf);
	sb_free(&j->line);
	free(j);
}

static const struct sink_ops journal_ops = {
	.name = "journal",
	.record = journal_record,
	.close = journal_close,
};

struct sink *journal_sink_new(char *err, size_t errsz)
{
	const struct sd_lib *sd = sd_lib(err, errsz);
	struct journal_sink *j;

	if (!sd)
		return NULL;
	j = calloc(1, sizeof(*j));
	if (!j) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	j->sd = sd;
	j->base.ops = &journal_ops;
	return &j->base;
}
