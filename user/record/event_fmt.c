// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * event_fmt.c - one mdevver_event to one text line or one JSON object.
 * The JSON keys are documented in docs/event-schema.md; add, never rename.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "escape.h"
#include "event_fmt.h"
#include "outcome.h"
#include "record.h"
#include "sysfs_path.h"
#include "mdevver_enforce.h"

#define PATH_BUF 2048

static const char *op_name(int op)
{
	return op == MDEVVER_OP_CHECK ? "check" : "read";
}

static void format_time(const struct output_ctx *ctx, uint64_t ts_ns,
			bool iso, char *buf, size_t sz)
{
	int64_t wall = (int64_t)ts_ns + ctx->realtime_offset_ns;
	time_t secs = wall / 1000000000;
	long nsec = wall % 1000000000;
	struct tm tm;

	if (iso) {
		gmtime_r(&secs, &tm);
		size_t n = strftime(buf, sz, "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(buf + n, sz - n, ".%09ldZ", nsec);
	} else {
		localtime_r(&secs, &tm);
		strftime(buf, sz, "%H:%M:%S", &tm);
	}
}

/*
 * JSON is written with fputs/fwrite and a hand-rolled integer formatter:
 * vfprintf was ~70% of the reader's time per event (callgrind), and the
 * reader shares the CPU with the traced writers.
 */
static void put_u64(FILE *o, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fwrite(p, 1, buf + sizeof(buf) - p, o);
}

static void put_i64(FILE *o, int64_t v)
{
	if (v < 0) {
		fputc('-', o);
		put_u64(o, -(uint64_t)v);
	} else {
		put_u64(o, (uint64_t)v);
	}
}

/* ,"key": -- keys are fixed ASCII names, never escaped */
static void json_key(FILE *o, const char *key)
{
	fputs(",\"", o);
	fputs(key, o);
	fputs("\":", o);
}

static void json_key_u64(FILE *o, const char *key, uint64_t v)
{
	json_key(o, key);
	put_u64(o, v);
}

static void json_key_i64(FILE *o, const char *key, int64_t v)
{
	json_key(o, key);
	put_i64(o, v);
}

static void json_key_bool(FILE *o, const char *key, bool v)
{
	json_key(o, key);
	fputs(v ? "true" : "false", o);
}

static void json_key_str(FILE *o, const char *key, const char *val)
{
	json_key(o, key);
	if (val)
		json_write_string(o, val, strlen(val));
	else
		fputs("null", o);
}

/* Common head of every record: schema, kind, time, host. */
static void json_head(const struct output_ctx *ctx, const char *kind,
		      uint64_t ts_ns)
{
	char tbuf[64];

	format_time(ctx, ts_ns, true, tbuf, sizeof(tbuf));
	fputs("{\"schema\":", ctx->out);
	put_u64(ctx->out, MDEVVER_SCHEMA_VERSION);
	json_key_str(ctx->out, "event", kind);
	json_key_str(ctx->out, "time", tbuf);
	json_key_u64(ctx->out, "ts_ns", ts_ns);
	json_key_str(ctx->out, "host", ctx->host);
}

uint64_t event_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

const char *event_outcome_name(const struct mdevver_event *e)
{
	return outcome_judged_name(e->op, e->ret, e->count, e->verdict);
}

static const char *rule_label(const struct output_ctx *ctx,
			      const struct mdevver_event *e, char *buf, size_t sz)
{
	const char *name = ctx->rule_name ?
		ctx->rule_name(ctx->rule_ctx, e->policy_gen, e->rule_id) : NULL;

	if (e->rule_id == MDEVVER_RULE_NONE)
		return "(none: failed closed)";
	if (name)
		return name;
	snprintf(buf, sz, "#%u", e->rule_id + 1);
	return buf;
}

/* Everything derived from an event that both forms show. */
struct event_view {
	char path[PATH_BUF];
	char type_buf[256];
	struct sysfs_attr_location loc;
	enum mdevver_outcome outcome;
	const char *errname;
	unsigned int data_len;	/* clamped to the arrays */
	unsigned int local_len;
};

static void event_view_init(const struct output_ctx *ctx,
			    const struct mdevver_event *e,
			    struct event_view *v)
{
	/* never trust a count from the ring more than the array it indexes */
	unsigned int depth = e->path_depth < MDEVVER_PATH_DEPTH ?
			     e->path_depth : MDEVVER_PATH_DEPTH;

	sysfs_path_join(v->path, sizeof(v->path), &e->path[0][0],
			MDEVVER_NAME_MAX, depth,
			e->flags & MDEVVER_F_PATH_TRUNCATED);
	sysfs_attr_locate(&e->path[0][0], MDEVVER_NAME_MAX, depth, &v->loc);
	if (!v->loc.mdev_type && v->loc.device && ctx->resolve_type &&
	    !(e->flags & MDEVVER_F_PATH_TRUNCATED)) {
		char dir[PATH_BUF];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", v->path);
		slash = strrchr(dir, '/');
		if (slash) {
			*slash = '\0';
			v->loc.mdev_type = ctx->resolve_type(dir, v->type_buf,
							     sizeof(v->type_buf));
		}
	}
	v->data_len = e->data_len < MDEVVER_DATA_MAX ? e->data_len : MDEVVER_DATA_MAX;
	v->local_len = e->local_len < MDEVVER_LOCAL_MAX ? e->local_len : MDEVVER_LOCAL_MAX;
	v->outcome = outcome_classify(e->op, e->ret, e->count);
	v->errname = outcome_errno_name(e->ret);
}

static void output_event_json(const struct output_ctx *ctx,
			      const struct mdevver_event *e,
			      const struct event_view *v)
{
	FILE *o = ctx->out;
	struct version_info vi;
	char comm[MDEVVER_TASK_COMM_LEN + 1];

	memcpy(comm, e->comm, MDEVVER_TASK_COMM_LEN);
	comm[MDEVVER_TASK_COMM_LEN] = '\0';

	json_head(ctx, op_name(e->op), e->ts_ns);
	json_key_str(o, "mode", mode_name(e->mode));
	json_key_u64(o, "pid", e->pid);
	json_key_u64(o, "tid", e->tid);
	json_key_u64(o, "ppid", e->ppid);
	json_key_u64(o, "uid", e->uid);
	json_key_u64(o, "gid", e->gid);
	json_key(o, "comm");
	json_write_string(o, comm, strnlen(comm, sizeof(comm)));
	json_key_u64(o, "cgroup_id", e->cgroup_id);
	json_key_str(o, "path", v->path);
	json_key_bool(o, "path_truncated", e->flags & MDEVVER_F_PATH_TRUNCATED);
	json_key_str(o, "attr", v->loc.attr);
	json_key_str(o, "parent", v->loc.parent);
	json_key_str(o, "mdev_type", v->loc.mdev_type);
	json_key_str(o, "device", v->loc.device);
	json_key(o, "bytes");
	json_write_string(o, e->data, v->data_len);
	json_key_u64(o, "len", e->count);
	json_key_u64(o, "captured", v->data_len);
	json_key_bool(o, "truncated", e->flags & MDEVVER_F_DATA_TRUNCATED);
	json_key_bool(o, "unreadable", e->flags & MDEVVER_F_DATA_UNREADABLE);
	json_key_i64(o, "ret", e->ret);
	json_key_i64(o, "errno", e->ret < 0 ? -(int64_t)e->ret : 0);
	json_key_str(o, "errno_name", v->errname);
	json_key_str(o, "outcome", event_outcome_name(e));
	if (verdict_name(e->verdict)) {
		char rbuf[32];
		bool first = true;

		json_key_str(o, "verdict", verdict_name(e->verdict));
		json_key_str(o, "rule", rule_label(ctx, e, rbuf, sizeof(rbuf)));
		json_key_str(o, "action", e->verdict == MDEVVER_VERDICT_AUDIT ?
					  "audit" : "deny");
		/* what the driver answered, when it was asked */
		if (e->verdict != MDEVVER_VERDICT_DENIED)
			json_key_str(o, "driver_outcome", outcome_name(v->outcome));
		json_key(o, "fail_closed");
		fputc('[', o);
		for (size_t i = 0; i < FAIL_CLOSED_BITS; i++) {
			if (!(e->unknown & (1u << i)))
				continue;
			if (!first)
				fputc(',', o);
			json_write_string(o, fail_closed_name(i), strlen(fail_closed_name(i)));
			first = false;
		}
		fputc(']', o);
	}
	json_key_u64(o, "latency_ns", e->latency_ns);
	version_decode(e->data, v->data_len, &vi);
	json_key(o, "decoded");
	version_print_json(o, &vi);
	if (e->flags & (MDEVVER_F_LOCAL | MDEVVER_F_VENDOR_CHECK)) {
		fputs(",\"vendor\":{\"local\":", o);
		if (e->flags & MDEVVER_F_LOCAL)
			json_write_string(o, e->local, v->local_len);
		else
			fputs("null", o);
		json_key_bool(o, "local_truncated", e->flags & MDEVVER_F_LOCAL_TRUNCATED);
		if (e->flags & MDEVVER_F_VENDOR_CHECK) {
			json_key_i64(o, "check_ret", e->vendor_ret);
			json_key_u64(o, "remote_len", e->vendor_remote_len);
			json_key_str(o, "check_errno_name",
				     outcome_errno_name(e->vendor_ret));
		}
		fputc('}', o);
	}
	fputs("}\n", o);
}

static void output_event_text(const struct output_ctx *ctx,
			      const struct mdevver_event *e,
			      const struct event_view *v)
{
	char tbuf[32], where[512], bytes[256];
	char comm[MDEVVER_TASK_COMM_LEN + 1];

	memcpy(comm, e->comm, MDEVVER_TASK_COMM_LEN);
	comm[MDEVVER_TASK_COMM_LEN] = '\0';
	format_time(ctx, e->ts_ns, false, tbuf, sizeof(tbuf));
	if (v->loc.device)
		snprintf(where, sizeof(where), "%s/%s(%s)",
			 v->loc.parent ? v->loc.parent : "?", v->loc.device,
			 v->loc.mdev_type ? v->loc.mdev_type : "?");
	else
		snprintf(where, sizeof(where), "%s/%s",
			 v->loc.parent ? v->loc.parent : "?",
			 v->loc.mdev_type ? v->loc.mdev_type : "?");
	c_escape(bytes, sizeof(bytes), e->data, v->data_len);
	fprintf(ctx->out, "%-8s %-7u %-16s %-5s %-32s %-12s %-7s \"%s\"%s",
		tbuf, e->pid, comm, op_name(e->op), where,
		event_outcome_name(e), v->errname ? v->errname : "-", bytes,
		e->flags & MDEVVER_F_DATA_TRUNCATED ? " (truncated)" :
		e->flags & MDEVVER_F_DATA_UNREADABLE ? " (unreadable)" : "");
	if (verdict_name(e->verdict)) {
		char rbuf[32];

		fprintf(ctx->out, " [%s rule=%s", verdict_name(e->verdict),
			rule_label(ctx, e, rbuf, sizeof(rbuf)));
		for (size_t i = 0; i < FAIL_CLOSED_BITS; i++)
			if (e->unknown & (1u << i))
				fprintf(ctx->out, " fail-closed:%s", fail_closed_name(i));
		fputc(']', ctx->out);
	}
	fputc('\n', ctx->out);
	if (!ctx->verbose)
		return;
	fprintf(ctx->out, "    path=%s attr=%s mode=%s ret=%" PRId64 " len=%" PRIu64
		" latency=%.1fus tid=%u ppid=%u uid=%u gid=%u cgroup=%" PRIu64 "\n",
		v->path, v->loc.attr ? v->loc.attr : "?", mode_name(e->mode),
		(int64_t)e->ret, (uint64_t)e->count, e->latency_ns / 1000.0,
		e->tid, e->ppid, e->uid, e->gid, (uint64_t)e->cgroup_id);
	if (e->flags & (MDEVVER_F_LOCAL | MDEVVER_F_VENDOR_CHECK)) {
		char local[256];

		c_escape(local, sizeof(local), e->local, v->local_len);
		fprintf(ctx->out, "    vendor: local=\"%s\"", local);
		if (e->flags & MDEVVER_F_VENDOR_CHECK) {
			const char *en = outcome_errno_name(e->vendor_ret);

			fprintf(ctx->out, " check_ret=%" PRId64 "%s%s%s remote_len=%u",
				(int64_t)e->vendor_ret, en ? "(" : "",
				en ? en : "", en ? ")" : "", e->vendor_remote_len);
		}
		fputc('\n', ctx->out);
	}
}

void output_text_header(const struct output_ctx *ctx)
{
	if (ctx->json)
		return;
	fprintf(ctx->out, "%-8s %-7s %-16s %-5s %-32s %-12s %-7s %s\n", "TIME",
		"PID", "COMM", "OP", "DEVICE/TYPE", "OUTCOME", "ERRNO", "BYTES");
}

void output_start(const struct output_ctx *ctx, uint64_t ts_ns, const char *mode,
		  const char *attempts, bool vendor_get, bool vendor_check)
{
	if (!ctx->json)
		return;
	json_head(ctx, "start", ts_ns);
	fprintf(ctx->out, ",\"mode\":\"%s\"", mode);
	json_key_str(ctx->out, "attempts", attempts);
	fprintf(ctx->out, ",\"vendor_get_version\":%s,\"vendor_check\":%s}\n",
		vendor_get ? "true" : "false", vendor_check ? "true" : "false");
}

void output_event(const struct output_ctx *ctx, const struct mdevver_event *e)
{
	struct event_view v;

	memset(&v, 0, sizeof(v));
	event_view_init(ctx, e, &v);
	if (ctx->json)
		output_event_json(ctx, e, &v);
	else
		output_event_text(ctx, e, &v);
}

void output_lost(const struct output_ctx *ctx, uint64_t ts_ns, uint64_t delta,
		 uint64_t total_lost, uint64_t total_untracked)
{
	if (ctx->json) {
		json_head(ctx, "lost", ts_ns);
		fprintf(ctx->out, ",\"lost\":%" PRIu64 ",\"total_lost\":%" PRIu64
			",\"total_untracked\":%" PRIu64 "}\n",
			delta, total_lost, total_untracked);
	} else {
		fprintf(ctx->out, "LOST %" PRIu64 " events (ring buffer full; %" PRIu64
			" lost, %" PRIu64 " untracked in total)\n",
			delta, total_lost, total_untracked);
	}
}

void output_enforce(const struct output_ctx *ctx, uint64_t ts_ns, const char *state,
		    const char *policy, uint64_t rules, unsigned int generation,
		    const char *error)
{
	if (!ctx->json)
		return;
	json_head(ctx, "enforce", ts_ns);
	json_key_str(ctx->out, "state", state);
	json_key_str(ctx->out, "policy", policy);
	if (error) {
		json_key_str(ctx->out, "error", error);
	} else {
		json_key_u64(ctx->out, "rules", rules);
		json_key_u64(ctx->out, "generation", generation);
	}
	fputs("}\n", ctx->out);
}

void output_end(const struct output_ctx *ctx, uint64_t ts_ns, uint64_t events,
		uint64_t total_lost, uint64_t total_untracked)
{
	if (!ctx->json)
		return;
	json_head(ctx, "end", ts_ns);
	fprintf(ctx->out, ",\"events\":%" PRIu64 ",\"total_lost\":%" PRIu64
		",\"total_untracked\":%" PRIu64 "}\n",
		events, total_lost, total_untracked);
}
