// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * text_fmt.c - a record to its text line(s) (text_fmt.h).
 *
 * The columns are those of the JSON-less output since the first release
 * (TIME PID COMM OP DEVICE/TYPE OUTCOME ERRNO BYTES), built by hand in a
 * buffer like the JSON form: this is the default output, so its cost is
 * paid on every record.  The local time is computed once per second.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "outcome.h"
#include "text_fmt.h"

/* %-<width>s of a C string */
static void col(struct strbuf *b, const char *s, size_t width)
{
	sb_pad(b, s, strlen(s), width);
	sb_putc(b, ' ');
}

/* %-<width>u */
static void col_u64(struct strbuf *b, uint64_t v, size_t width)
{
	size_t before = b->len;

	sb_u64(b, v);
	for (size_t n = b->len - before; n < width; n++)
		sb_putc(b, ' ');
	sb_putc(b, ' ');
}

/* Escaped bytes: c_escape's rules, NUL-terminated in dst. */
static const char *esc(char *dst, size_t sz, struct bytes v)
{
	c_escape(dst, sz, v.p ? v.p : "", v.p ? v.len : 0);
	return dst;
}

/* HH:MM:SS local time of wall_ns; localtime_r once per second */
static void hms(char out[9], int64_t wall_ns)
{
	static _Thread_local int64_t cached_secs = INT64_MIN;
	static _Thread_local char cached[9];
	int64_t secs = wall_ns / 1000000000;

	if (wall_ns % 1000000000 < 0)
		secs--;
	if (secs != cached_secs) {
		time_t t = (time_t)secs;
		struct tm tm;

		localtime_r(&t, &tm);
		if (strftime(cached, sizeof(cached), "%H:%M:%S", &tm) == 0)
			memcpy(cached, "??:??:??", 9);
		cached_secs = secs;
	}
	memcpy(out, cached, 9);
}

void text_fmt_header(struct strbuf *b)
{
	col(b, "TIME", 8);
	col(b, "PID", 7);
	col(b, "COMM", 16);
	col(b, "OP", 5);
	col(b, "DEVICE/TYPE", 32);
	col(b, "OUTCOME", 12);
	col(b, "ERRNO", 7);
	sb_puts(b, "BYTES\n");
}

static void event_line(struct strbuf *b, const struct record *r)
{
	const struct record_event *ev = &r->ev;
	const struct record_node *n = &ev->node;
	char t[9], comm[4 * MDEVVER_TASK_COMM_LEN + 1], bytes[256];
	char parent[4 * MDEVVER_NAME_MAX + 4], dev[4 * MDEVVER_NAME_MAX + 4];
	char type[4 * 256 + 4], where[3 * sizeof(type)];

	hms(t, r->wall_ns);
	col(b, t, 8);
	col_u64(b, ev->pid, 7);
	col(b, esc(comm, sizeof(comm), ev->comm), 16);
	col(b, record_kind_name(r->kind), 5);
	if (!n->parent.p)
		strcpy(parent, "?");
	else
		esc(parent, sizeof(parent), n->parent);
	if (!n->mdev_type.p)
		strcpy(type, "?");
	else
		esc(type, sizeof(type), n->mdev_type);
	if (ev->scope && !strcmp(ev->scope, "other"))
		/* --any-sysfs: no mdev parent or type to show; the path says it */
		snprintf(where, sizeof(where), "other:%s",
			 esc(type, sizeof(type), n->path));
	else if (n->device.p)
		snprintf(where, sizeof(where), "%s/%s(%s)", parent,
			 esc(dev, sizeof(dev), n->device), type);
	else
		snprintf(where, sizeof(where), "%s/%s", parent, type);
	col(b, where, 32);
	col(b, ev->outcome ? ev->outcome : "?", 12);
	col(b, ev->errno_name ? ev->errno_name : "-", 7);
	sb_putc(b, '"');
	sb_puts(b, esc(bytes, sizeof(bytes), ev->data));
	sb_putc(b, '"');
	if (ev->truncated)
		sb_puts(b, " (truncated)");
	else if (ev->unreadable)
		sb_puts(b, " (unreadable)");
	if (ev->verdict) {
		sb_puts(b, " [");
		sb_puts(b, ev->verdict);
		sb_puts(b, " rule=");
		if (ev->rule) {
			char rule[256];

			sb_puts(b, esc(rule, sizeof(rule),
				       (struct bytes){ ev->rule, strlen(ev->rule) }));
		}
		for (unsigned int i = 0; i < FAIL_CLOSED_BITS; i++) {
			if (ev->fail_closed & (1u << i)) {
				sb_puts(b, " fail-closed:");
				sb_puts(b, fail_closed_name(i));
			}
		}
		sb_putc(b, ']');
	}
	/* coalesced repeats: one line stands for count identical calls */
	if (ev->count > 1) {
		sb_puts(b, " (x");
		sb_u64(b, ev->count);
		sb_putc(b, ')');
	}
	sb_putc(b, '\n');
}

/* The verbose lines: ids, path and the vendor layer's view. */
static void event_verbose(struct strbuf *b, const struct record_event *ev)
{
	char path[4 * 2048], attr[4 * MDEVVER_NAME_MAX + 4], line[512];

	sb_puts(b, "    path=");
	sb_puts(b, esc(path, sizeof(path), ev->node.path));
	sb_puts(b, " attr=");
	sb_puts(b, ev->node.attr.p ? esc(attr, sizeof(attr), ev->node.attr) : "?");
	snprintf(line, sizeof(line), " mode=%s ret=%" PRId64 " len=%" PRIu64
		 " latency=%.1fus tid=%u ppid=%u uid=%u gid=%u cgroup=%" PRIu64 "\n",
		 ev->mode ? ev->mode : "?", ev->ret, ev->len, ev->latency_ns / 1000.0,
		 ev->tid, ev->ppid, ev->uid, ev->gid, ev->cgroup_id);
	sb_puts(b, line);
	if (ev->has_local || ev->has_vendor_check) {
		char local[256];

		sb_puts(b, "    vendor: local=\"");
		sb_puts(b, esc(local, sizeof(local),
			       ev->has_local ? ev->local : (struct bytes){ "", 0 }));
		sb_putc(b, '"');
		if (ev->has_vendor_check) {
			const char *en = outcome_errno_name(ev->vendor_check_ret);

			snprintf(line, sizeof(line), " check_ret=%" PRId64 "%s%s%s remote_len=%u",
				 ev->vendor_check_ret, en ? "(" : "", en ? en : "",
				 en ? ")" : "", ev->vendor_remote_len);
			sb_puts(b, line);
		}
		sb_putc(b, '\n');
	}
}

/* DEVICE/TYPE of a lifecycle or migration record: parent/uuid(type) */
static void device_col(struct strbuf *b, struct bytes parent, struct bytes dev,
		       struct bytes type)
{
	char p[4 * MDEVVER_NAME_MAX + 4], d[4 * MDEVVER_NAME_MAX + 4];
	char where[3 * sizeof(p) + 8];

	esc(p, sizeof(p), parent);
	esc(d, sizeof(d), dev);
	if (type.p) {
		char t[4 * MDEVVER_NAME_MAX + 4];

		snprintf(where, sizeof(where), "%s/%s(%s)", parent.p ? p : "?", d,
			 esc(t, sizeof(t), type));
	} else
		snprintf(where, sizeof(where), "%s/%s", parent.p ? p : "?", d);
	col(b, where, 32);
}

static void who_cols(struct strbuf *b, const struct record *r,
		     const struct record_actor *w, const char *op)
{
	char t[9], comm[4 * MDEVVER_TASK_COMM_LEN + 1];

	hms(t, r->wall_ns);
	col(b, t, 8);
	col_u64(b, w->pid, 7);
	col(b, esc(comm, sizeof(comm), w->comm), 16);
	col(b, op, 5);
}

static void vm_suffix(struct strbuf *b, const struct record_actor *w)
{
	char name[4 * 256 + 4];

	if (w->vm.p) {
		sb_puts(b, " vm=");
		sb_puts(b, esc(name, sizeof(name), w->vm));
	} else if (w->unit.p) {
		sb_puts(b, " unit=");
		sb_puts(b, esc(name, sizeof(name), w->unit));
	}
}

static void lifecycle_line(struct strbuf *b, const struct record *r)
{
	const struct record_lifecycle *l = &r->life;

	who_cols(b, r, &l->who, l->what);
	device_col(b, l->parent, l->device, l->mdev_type);
	col(b, l->ret < 0 ? "failed" : "ok", 12);
	col(b, l->errno_name ? l->errno_name : "-", 7);
	if (l->to) {
		char line[256];

		snprintf(line, sizeof(line), "%s -> %s", l->from, l->to);
		sb_puts(b, line);
		if (l->has_bytes) {
			sb_puts(b, " bytes=");
			sb_u64(b, l->bytes);
		}
		if (l->data_fd >= 0) {
			snprintf(line, sizeof(line), " data_fd=%d", l->data_fd);
			sb_puts(b, line);
		}
		if (l->verdict) {
			char rule[256];

			sb_puts(b, " [");
			sb_puts(b, l->verdict);
			sb_puts(b, " rule=");
			sb_puts(b, esc(rule, sizeof(rule),
				       (struct bytes){ l->rule, strlen(l->rule) }));
			for (unsigned int i = 0; i < FAIL_CLOSED_BITS; i++) {
				if (l->fail_closed & (1u << i)) {
					sb_puts(b, " fail-closed:");
					sb_puts(b, fail_closed_name(i));
				}
			}
			sb_putc(b, ']');
		}
		if (l->target_changed) {
			snprintf(line, sizeof(line), " (judged %s: the caller changed its argument)",
				 l->judged_to);
			sb_puts(b, line);
		}
		if (l->unjudged)
			sb_puts(b, " [not judged]");
	} else if (l->feature) {
		sb_puts(b, l->access);
		sb_putc(b, ' ');
		sb_puts(b, l->feature);
		if (l->ret == -25 /* ENOTTY */ && !strcmp(l->feature, "migration"))
			sb_puts(b, ": the device has no migration support");
		if (l->has_value) {
			sb_puts(b, " = ");
			if (l->value_text)
				sb_puts(b, *l->value_text ? l->value_text : "none");
			else
				sb_u64(b, l->value);
		}
	} else if (!strcmp(l->what, "close") && l->has_bytes) {
		sb_puts(b, "bytes=");
		sb_u64(b, l->bytes);
	}
	if (l->session) {
		sb_puts(b, " session=");
		sb_u64(b, l->session);
	}
	vm_suffix(b, &l->who);
	sb_putc(b, '\n');
}

static void migration_line(struct strbuf *b, const struct record *r)
{
	const struct record_migration *m = &r->mig;
	char line[256];

	who_cols(b, r, &m->who, "migr");
	device_col(b, m->parent, m->device, m->mdev_type);
	col(b, m->outcome, 12);
	col(b, m->errno_name ? m->errno_name : "-", 7);
	snprintf(line, sizeof(line), "%s %s stopped=%.3fms", m->role, m->path,
		 m->stopped_ns / 1e6);
	sb_puts(b, line);
	if (m->has_bytes) {
		sb_puts(b, " bytes=");
		sb_u64(b, m->bytes);
	}
	if (m->peer_device.p) {
		char peer[4 * MDEVVER_NAME_MAX + 4];

		sb_puts(b, " peer=");
		sb_puts(b, esc(peer, sizeof(peer), m->peer_device));
	}
	snprintf(line, sizeof(line), " checks-before=%llu/%llu/%llu",
		 (unsigned long long)m->checks_compatible,
		 (unsigned long long)m->checks_incompatible,
		 (unsigned long long)m->checks_other);
	sb_puts(b, line);
	vm_suffix(b, &m->who);
	sb_putc(b, '\n');
}

void text_fmt_record(struct strbuf *b, const struct record *r, bool verbose)
{
	switch (r->kind) {
	case RECORD_CHECK:
	case RECORD_READ:
		event_line(b, r);
		if (verbose)
			event_verbose(b, &r->ev);
		break;
	case RECORD_LOST:
		sb_puts(b, "LOST ");
		sb_u64(b, r->lost.lost);
		sb_puts(b, " events (");
		sb_u64(b, r->lost.lost_checks);
		sb_puts(b, " checks, ");
		sb_u64(b, r->lost.lost_reads);
		sb_puts(b, " reads; ring buffer full; ");
		sb_u64(b, r->lost.total_lost);
		sb_puts(b, " lost, ");
		sb_u64(b, r->lost.total_untracked);
		sb_puts(b, " untracked in total)\n");
		break;
	case RECORD_LIFECYCLE:
		lifecycle_line(b, r);
		break;
	case RECORD_MIGRATION:
		migration_line(b, r);
		break;
	case RECORD_START:
	case RECORD_ENFORCE:
	case RECORD_END:
	case RECORD_KINDS:
		break;
	}
}
