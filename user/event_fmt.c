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
#include "sysfs_path.h"

#define PATH_BUF 2048

const char *mode_name(int mode)
{
	switch (mode) {
	case MDEVVER_MODE_FENTRY:
		return "fentry";
	case MDEVVER_MODE_KPROBE:
		return "kprobe";
	case MDEVVER_MODE_SYSCALL:
		return "syscall";
	default:
		return "unknown";
	}
}

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

static void json_key_str(FILE *o, const char *key, const char *val)
{
	fprintf(o, ",\"%s\":", key);
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
	fprintf(ctx->out, "{\"schema\":%d,\"event\":\"%s\",\"time\":\"%s\",\"ts_ns\":%" PRIu64,
		MDEVVER_SCHEMA_VERSION, kind, tbuf, ts_ns);
	json_key_str(ctx->out, "host", ctx->host);
}

uint64_t event_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
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
	fprintf(o, ",\"mode\":\"%s\",\"pid\":%u,\"tid\":%u,\"ppid\":%u,\"uid\":%u,\"gid\":%u",
		mode_name(e->mode), e->pid, e->tid, e->ppid, e->uid, e->gid);
	fputs(",\"comm\":", o);
	json_write_string(o, comm, strnlen(comm, sizeof(comm)));
	fprintf(o, ",\"cgroup_id\":%" PRIu64, (uint64_t)e->cgroup_id);
	json_key_str(o, "path", v->path);
	fprintf(o, ",\"path_truncated\":%s",
		e->flags & MDEVVER_F_PATH_TRUNCATED ? "true" : "false");
	json_key_str(o, "attr", v->loc.attr);
	json_key_str(o, "parent", v->loc.parent);
	json_key_str(o, "mdev_type", v->loc.mdev_type);
	json_key_str(o, "device", v->loc.device);
	fputs(",\"bytes\":", o);
	json_write_string(o, e->data, v->data_len);
	fprintf(o, ",\"len\":%" PRIu64 ",\"captured\":%u,\"truncated\":%s,\"unreadable\":%s",
		(uint64_t)e->count, v->data_len,
		e->flags & MDEVVER_F_DATA_TRUNCATED ? "true" : "false",
		e->flags & MDEVVER_F_DATA_UNREADABLE ? "true" : "false");
	fprintf(o, ",\"ret\":%" PRId64 ",\"errno\":%" PRId64, (int64_t)e->ret,
		e->ret < 0 ? -(int64_t)e->ret : 0);
	json_key_str(o, "errno_name", v->errname);
	fprintf(o, ",\"outcome\":\"%s\",\"latency_ns\":%" PRIu64,
		outcome_name(v->outcome), (uint64_t)e->latency_ns);
	version_decode(e->data, v->data_len, &vi);
	fputs(",\"decoded\":", o);
	version_print_json(o, &vi);
	if (e->flags & (MDEVVER_F_LOCAL | MDEVVER_F_VENDOR_CHECK)) {
		fputs(",\"vendor\":{\"local\":", o);
		if (e->flags & MDEVVER_F_LOCAL)
			json_write_string(o, e->local, v->local_len);
		else
			fputs("null", o);
		fprintf(o, ",\"local_truncated\":%s",
			e->flags & MDEVVER_F_LOCAL_TRUNCATED ? "true" : "false");
		if (e->flags & MDEVVER_F_VENDOR_CHECK) {
			fprintf(o, ",\"check_ret\":%" PRId64 ",\"remote_len\":%u",
				(int64_t)e->vendor_ret, e->vendor_remote_len);
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
	fprintf(ctx->out, "%-8s %-7u %-16s %-5s %-32s %-12s %-7s \"%s\"%s\n",
		tbuf, e->pid, comm, op_name(e->op), where,
		outcome_name(v->outcome), v->errname ? v->errname : "-", bytes,
		e->flags & MDEVVER_F_DATA_TRUNCATED ? " (truncated)" : "");
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
