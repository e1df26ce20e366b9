// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * json_fmt.c - a record to its JSON line (json_fmt.h).
 *
 * The hot path of every sink that wants JSON (audit log, syslog, --json):
 * appends into a growable buffer, integers by hand, strings through the
 * byte-string escaper -- no stdio and no printf, which were most of the
 * per-record cost before.  The calendar part of the time is computed once
 * per second.  The output for every kind is the one the schema documents
 * (key order included; new keys are added at documented places only).
 */
#include <string.h>
#include <time.h>

#include "decode.h"
#include "escape.h"
#include "json_fmt.h"
#include "outcome.h"

/* ,"key": -- keys are fixed ASCII literals, never escaped; one memcpy of
 * a length known at compile time (strlen per key was measurable) */
#define key(b, k) sb_put((b), ",\"" k "\":", sizeof(",\"" k "\":") - 1)
#define key_u64(b, k, v) do { key(b, k); sb_u64((b), (v)); } while (0)
#define key_i64(b, k, v) do { key(b, k); sb_i64((b), (v)); } while (0)
#define key_bool(b, k, v) do { key(b, k); bool_(b, (v)); } while (0)
#define key_str(b, k, v) do { key(b, k); str_(b, (v)); } while (0)
#define key_bytes(b, k, v) do { key(b, k); bytes_(b, (v)); } while (0)

static void bool_(struct strbuf *b, bool v)
{
	if (v)
		sb_put(b, "true", 4);
	else
		sb_put(b, "false", 5);
}

/* A C string value (names from tables, or text from a caller); NULL: null */
static void str_(struct strbuf *b, const char *v)
{
	if (v)
		json_string_buf(b, v, strlen(v));
	else
		sb_put(b, "null", 4);
}

static void bytes_(struct strbuf *b, struct bytes v)
{
	if (v.p)
		json_string_buf(b, v.p, v.len);
	else
		sb_put(b, "null", 4);
}

void json_fmt_time(char buf[32], int64_t wall_ns)
{
	/* gmtime_r once per second: records come in bursts within a second */
	static _Thread_local int64_t cached_secs = INT64_MIN;
	static _Thread_local char cached[20];
	int64_t secs = wall_ns / 1000000000, nsec = wall_ns % 1000000000;

	if (nsec < 0) {		/* before 1970: floor, as gmtime expects */
		nsec += 1000000000;
		secs--;
	}
	if (secs != cached_secs) {
		time_t t = (time_t)secs;
		struct tm tm;

		gmtime_r(&t, &tm);
		if (strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
			memcpy(cached, "0000-00-00T00:00:00", 20);
		cached_secs = secs;
	}
	memcpy(buf, cached, 19);
	buf[19] = '.';
	/* nine digits into buf[20..28] */
	for (int i = 28; i >= 20; i--) {
		buf[i] = (char)('0' + nsec % 10);
		nsec /= 10;
	}
	buf[29] = 'Z';
	buf[30] = '\0';
}

/* Common head of every record: schema, kind, time, host. */
static void head(struct strbuf *b, const struct record *r)
{
	char t[32];

	json_fmt_time(t, r->wall_ns);
	sb_puts(b, "{\"schema\":");
	sb_u64(b, MDEVVER_SCHEMA_VERSION);
	sb_puts(b, ",\"event\":\"");
	sb_puts(b, record_kind_name(r->kind));
	sb_puts(b, "\",\"time\":\"");
	sb_put(b, t, 30);
	sb_putc(b, '"');
	key_u64(b, "ts_ns", r->ts_ns);
	key_str(b, "host", r->host);
	/* identity (docs/event-schema.md): all four, or none (a record read
	 * back from a log written before identity) */
	if (r->host_id && r->boot_id && r->run_id && r->seq) {
		key_str(b, "host_id", r->host_id);
		key_str(b, "boot_id", r->boot_id);
		key_str(b, "run_id", r->run_id);
		key_u64(b, "seq", r->seq);
	}
}

static void fail_closed(struct strbuf *b, uint16_t bits)
{
	bool first = true;

	key(b, "fail_closed");
	sb_putc(b, '[');
	for (unsigned int i = 0; i < FAIL_CLOSED_BITS; i++) {
		if (!(bits & (1u << i)))
			continue;
		if (!first)
			sb_putc(b, ',');
		sb_putc(b, '"');
		sb_puts(b, fail_closed_name(i));
		sb_putc(b, '"');
		first = false;
	}
	sb_putc(b, ']');
}

/*
 * The "decoded" object of a version string.  Checks of one type repeat the
 * same few strings, and decoding plus formatting was an eighth of the cost
 * of a record: the last string's object is kept and copied when the next
 * record carries the same bytes.
 */
static void decoded(struct strbuf *b, struct bytes data)
{
	static struct strbuf last_bytes, last_json;
	struct version_info vi;
	size_t at;

	if (!data.p)
		data = (struct bytes){ "", 0 };
	if (last_json.len && !last_bytes.oom && !last_json.oom &&
	    last_bytes.len == data.len &&
	    !memcmp(last_bytes.p ? last_bytes.p : "", data.p, data.len)) {
		sb_put(b, last_json.p, last_json.len);
		return;
	}
	at = b->len;
	version_decode(data.p, data.len, &vi);
	version_json_buf(b, &vi);
	if (b->oom)
		return;
	last_bytes.len = last_json.len = 0;
	sb_put(&last_bytes, data.p, data.len);
	sb_put(&last_json, b->p + at, b->len - at);
}

static void event(struct strbuf *b, const struct record_event *ev)
{

	key_str(b, "mode", ev->mode);
	key_u64(b, "pid", ev->pid);
	key_u64(b, "tid", ev->tid);
	key_u64(b, "ppid", ev->ppid);
	key_u64(b, "uid", ev->uid);
	key_u64(b, "gid", ev->gid);
	key(b, "comm");
	json_string_buf(b, ev->comm.p ? ev->comm.p : "", ev->comm.len);
	key_u64(b, "cgroup_id", ev->cgroup_id);
	key(b, "path");
	json_string_buf(b, ev->node.path.p ? ev->node.path.p : "", ev->node.path.len);
	key_bool(b, "path_truncated", ev->node.path_truncated);
	key_bytes(b, "attr", ev->node.attr);
	key_bytes(b, "parent", ev->node.parent);
	key_bytes(b, "mdev_type", ev->node.mdev_type);
	key_bytes(b, "device", ev->node.device);
	/* added in schema 1: where the attribute sits (docs/event-schema.md) */
	if (ev->scope)
		key_str(b, "scope", ev->scope);
	key(b, "bytes");
	json_string_buf(b, ev->data.p ? ev->data.p : "", ev->data.len);
	key_u64(b, "len", ev->len);
	key_u64(b, "captured", ev->data.len);
	key_bool(b, "truncated", ev->truncated);
	key_bool(b, "unreadable", ev->unreadable);
	key_i64(b, "ret", ev->ret);
	key_i64(b, "errno", ev->ret < 0 ? -ev->ret : 0);
	key_str(b, "errno_name", ev->errno_name);
	key_str(b, "outcome", ev->outcome);
	/* added in schema 1: calls this record stands for (docs/event-schema.md) */
	key_u64(b, "count", ev->count ? ev->count : 1);
	if (ev->verdict) {
		key_str(b, "verdict", ev->verdict);
		key_str(b, "rule", ev->rule);
		key_str(b, "action", strcmp(ev->verdict, "audit") ? "deny" : "audit");
		if (ev->driver_outcome)
			key_str(b, "driver_outcome", ev->driver_outcome);
		fail_closed(b, ev->fail_closed);
	}
	key_u64(b, "latency_ns", ev->latency_ns);
	key(b, "decoded");
	decoded(b, ev->data);
	if (ev->has_local || ev->has_vendor_check) {
		sb_puts(b, ",\"vendor\":{\"local\":");
		if (ev->has_local)
			json_string_buf(b, ev->local.p ? ev->local.p : "", ev->local.len);
		else
			sb_puts(b, "null");
		key_bool(b, "local_truncated", ev->local_truncated);
		if (ev->has_vendor_check) {
			key_i64(b, "check_ret", ev->vendor_check_ret);
			key_u64(b, "remote_len", ev->vendor_remote_len);
			key_str(b, "check_errno_name",
				outcome_errno_name(ev->vendor_check_ret));
		}
		sb_putc(b, '}');
	}
}

/* Who did it (lifecycle and migration records) */
static void actor(struct strbuf *b, const struct record_actor *w)
{
	key_u64(b, "pid", w->pid);
	key_u64(b, "tid", w->tid);
	key_u64(b, "uid", w->uid);
	key_bytes(b, "comm", w->comm);
	key_u64(b, "cgroup_id", w->cgroup_id);
	key_bytes(b, "vm", w->vm);
	key_bytes(b, "unit", w->unit);
}

static void lifecycle(struct strbuf *b, const struct record_lifecycle *l)
{
	key_str(b, "what", l->what);
	key_str(b, "mode", l->mode);
	actor(b, &l->who);
	key_bytes(b, "device", l->device);
	key_bytes(b, "parent", l->parent);
	key_bytes(b, "type", l->mdev_type);
	key_u64(b, "session", l->session);
	key_i64(b, "ret", l->ret);
	key_str(b, "errno_name", l->errno_name);
	key_u64(b, "latency_ns", l->latency_ns);
	if (l->to) {
		key_str(b, "from", l->from);
		key_str(b, "to", l->to);
		key_bool(b, "from_driver", l->from_driver);
		key(b, "data_fd");
		if (l->data_fd >= 0)
			sb_i64(b, l->data_fd);
		else
			sb_puts(b, "null");
		/* the policy's word on it (op=migrate rules) */
		key_bool(b, "judged", l->judged);
		if (l->judged) {
			key_str(b, "judged_to", l->judged_to);
			key_bool(b, "target_changed", l->target_changed);
		}
		if (l->unjudged)
			key_bool(b, "unjudged", true);
		if (l->verdict) {
			key_str(b, "verdict", l->verdict);
			key_str(b, "rule", l->rule);
			key_str(b, "action", strcmp(l->verdict, "audit") ? "deny" : "audit");
			fail_closed(b, l->fail_closed);
		}
	}
	if (l->to || !strcmp(l->what, "close")) {
		key(b, "bytes");
		if (l->has_bytes)
			sb_u64(b, l->bytes);
		else
			sb_puts(b, "null");
		key_bool(b, "bytes_lost", l->bytes_lost);
	}
	if (l->feature) {
		key_str(b, "feature", l->feature);
		key_str(b, "access", l->access);
		key(b, "value");
		if (l->has_value)
			sb_u64(b, l->value);
		else
			sb_puts(b, "null");
		key_str(b, "value_text", l->value_text);
	}
}

static void migration(struct strbuf *b, const struct record_migration *m)
{
	char t[32];

	key_bytes(b, "device", m->device);
	key_bytes(b, "parent", m->parent);
	key_bytes(b, "type", m->mdev_type);
	key_u64(b, "session", m->session);
	key_str(b, "role", m->role);
	key_str(b, "path", m->path);
	key_str(b, "outcome", m->outcome);
	key_i64(b, "ret", m->ret);
	key_str(b, "errno_name", m->errno_name);
	key_u64(b, "changes", m->changes);
	key_u64(b, "stopped_ns", m->stopped_ns);
	key(b, "bytes");
	if (m->has_bytes)
		sb_u64(b, m->bytes);
	else
		sb_puts(b, "null");
	json_fmt_time(t, m->started_wall_ns);
	key(b, "started");
	json_string_buf(b, t, strlen(t));
	key_u64(b, "started_ns", m->started_ns);
	actor(b, &m->who);
	key(b, "peer_session");
	if (m->peer_session)
		sb_u64(b, m->peer_session);
	else
		sb_puts(b, "null");
	key_bytes(b, "peer_device", m->peer_device);
	sb_puts(b, ",\"checks_before\":{\"compatible\":");
	sb_u64(b, m->checks_compatible);
	key_u64(b, "incompatible", m->checks_incompatible);
	key_u64(b, "other", m->checks_other);
	key_str(b, "last", m->last_check);
	sb_putc(b, '}');
}

void json_fmt_record(struct strbuf *b, const struct record *r)
{
	head(b, r);
	switch (r->kind) {
	case RECORD_CHECK:
	case RECORD_READ:
		event(b, &r->ev);
		break;
	case RECORD_START:
		key_str(b, "mode", r->start.mode);
		key_str(b, "attempts", r->start.attempts);
		key_bool(b, "vendor_get_version", r->start.vendor_get);
		key_bool(b, "vendor_check", r->start.vendor_check);
		if (r->start.lifecycle)
			key_str(b, "lifecycle", r->start.lifecycle);
		if (r->start.host_id_from)
			key_str(b, "host_id_from", r->start.host_id_from);
		break;
	case RECORD_LOST:
		key_u64(b, "lost", r->lost.lost);
		key_u64(b, "total_lost", r->lost.total_lost);
		key_u64(b, "total_untracked", r->lost.total_untracked);
		key_u64(b, "lost_checks", r->lost.lost_checks);
		key_u64(b, "lost_reads", r->lost.lost_reads);
		break;
	case RECORD_ENFORCE:
		key_str(b, "state", r->enforce.state);
		key_str(b, "policy", r->enforce.policy);
		if (r->enforce.error) {
			key_str(b, "error", r->enforce.error);
		} else {
			key_u64(b, "rules", r->enforce.rules);
			key_u64(b, "generation", r->enforce.generation);
		}
		break;
	case RECORD_END:
		key_u64(b, "events", r->end.events);
		key_u64(b, "total_lost", r->end.total_lost);
		key_u64(b, "total_untracked", r->end.total_untracked);
		key_u64(b, "checks", r->end.checks);
		key_u64(b, "reads", r->end.reads);
		key_u64(b, "lost_checks", r->end.lost_checks);
		key_u64(b, "lost_reads", r->end.lost_reads);
		key_u64(b, "strict_refused", r->end.strict_refused);
		key_u64(b, "kernel_missed", r->end.kernel_missed);
		key_u64(b, "lifecycle", r->end.lifecycle);
		key_u64(b, "lost_lifecycle", r->end.lost_lifecycle);
		break;
	case RECORD_LIFECYCLE:
		lifecycle(b, &r->life);
		break;
	case RECORD_MIGRATION:
		migration(b, &r->mig);
		break;
	case RECORD_KINDS:
		break;
	}
	sb_puts(b, "}\n");
}
