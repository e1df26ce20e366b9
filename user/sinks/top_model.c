// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * top_model.c - aggregates records into the live view's numbers.  Live
 * records come straight from the pipeline; a replayed log's lines become
 * the same struct record first (record/json_record.c), so replayed logs
 * and live tracing cannot disagree.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "json_fmt.h"
#include "json_record.h"
#include "sat.h"
#include "top_model.h"

static const char *const outcome_labels[TOP_OUTCOMES] = {
	[TOP_COMPATIBLE] = "compatible",
	[TOP_INCOMPATIBLE] = "incompatible",
	[TOP_UNSUPPORTED] = "unsupported",
	[TOP_DENIED] = "denied",
	[TOP_WOULD_DENY] = "would-deny",
	[TOP_OTHER] = "other",
	[TOP_READ] = "reads",
};

const char *top_outcome_label(enum top_outcome o)
{
	return o < TOP_OUTCOMES ? outcome_labels[o] : "?";
}

static const char *const mig_labels[TOP_MIG_OUTCOMES] = {
	[TOP_MIG_COMPLETED] = "completed",
	[TOP_MIG_FAILED] = "failed",
	[TOP_MIG_ABANDONED] = "abandoned",
	[TOP_MIG_IN_PROGRESS] = "in-progress",
	[TOP_MIG_OTHER] = "other",
};

const char *top_mig_outcome_label(enum top_mig_outcome o)
{
	return o < TOP_MIG_OUTCOMES ? mig_labels[o] : "?";
}

const char *top_sort_name(enum top_sort s)
{
	static const char *const names[TOP_SORTS] = { "device", "total", "recent" };

	return s < TOP_SORTS ? names[s] : "?";
}

void top_model_init(struct top_model *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->mode, sizeof(m->mode), "?");
	snprintf(m->enforcement, sizeof(m->enforcement), "off");
}

void top_model_clear(struct top_model *m)
{
	char mode[sizeof(m->mode)], enf[sizeof(m->enforcement)];
	bool seen = m->enforcement_seen;
	int inferred = m->enforcement_inferred;
	struct top_filter filter = m->filter;

	memcpy(mode, m->mode, sizeof(mode));
	memcpy(enf, m->enforcement, sizeof(enf));
	top_model_init(m);
	memcpy(m->mode, mode, sizeof(mode));
	memcpy(m->enforcement, enf, sizeof(enf));
	m->enforcement_seen = seen;
	m->enforcement_inferred = inferred;
	m->filter = filter;
}

bool top_filter_pass(const struct top_filter *f, const struct record *r)
{
	const struct record_event *ev = &r->ev;

	if (r->kind != RECORD_CHECK && r->kind != RECORD_READ)
		return true;
	if (f->pid && ev->pid != (uint32_t)f->pid)
		return false;
	/* the kernel compares the task's comm, which the record carries */
	if (f->comm && (!ev->comm.p || ev->comm.len != strlen(f->comm) ||
			memcmp(ev->comm.p, f->comm, ev->comm.len)))
		return false;
	/* -x as capture.bpf.h's outcome_wanted: a check the driver did not
	 * take whole, a read that failed */
	if (f->failed_only &&
	    !(ev->ret < 0 || (r->kind == RECORD_CHECK && (uint64_t)ev->ret != ev->len)))
		return false;
	if (!f->any_sysfs && ev->scope && !strcmp(ev->scope, "other"))
		return false;
	return true;
}

/* No enforce record (a rotated log, --json output cut short): the
 * verdicts say enforcement was there.  The strongest verdict seen wins:
 * denied or killed (on) over would-deny (dry-run) over audit (either;
 * shown as on until a would-deny says dry run). */
static void infer_enforcement(struct top_model *m, const char *verdict)
{
	int rank = !strcmp(verdict, "denied") || !strcmp(verdict, "killed") ? 3 :
		   !strcmp(verdict, "would-deny") ? 2 : 1;

	if (m->enforcement_seen || rank <= m->enforcement_inferred)
		return;
	snprintf(m->enforcement, sizeof(m->enforcement), "%s", rank == 2 ? "dry-run" : "on");
	m->enforcement_inferred = rank;
}

static enum top_outcome classify(enum record_kind kind, const char *outcome)
{
	if (kind == RECORD_READ)
		return TOP_READ;
	if (!outcome)
		return TOP_OTHER;
	if (!strcmp(outcome, "compatible"))
		return TOP_COMPATIBLE;
	if (!strcmp(outcome, "incompatible"))
		return TOP_INCOMPATIBLE;
	if (!strcmp(outcome, "unsupported"))
		return TOP_UNSUPPORTED;
	if (!strcmp(outcome, "denied"))
		return TOP_DENIED;
	if (!strcmp(outcome, "would-deny"))
		return TOP_WOULD_DENY;
	return TOP_OTHER;
}

/* A name from a record, C-escaped (it may hold any byte), "?" if absent. */
static const char *name(char *buf, size_t sz, struct bytes v)
{
	if (!v.p)
		return "?";
	c_escape(buf, sz, v.p, v.len);
	return buf;
}

/* A NUL-terminated string from a record (outcome, errno name, mode, state),
 * C-escaped into buf; dflt if absent. */
static void text(char *buf, size_t sz, const char *v, const char *dflt)
{
	if (!v)
		v = dflt;
	c_escape(buf, sz, v, strlen(v));
}

static struct top_row *row_for(struct top_model *m, const char *parent,
			       const char *type)
{
	struct top_row *r;

	for (size_t i = 0; i < m->n_rows; i++)
		if (!strcmp(m->rows[i].parent, parent) &&
		    !strcmp(m->rows[i].type, type))
			return &m->rows[i];
	if (m->n_rows == TOP_ROWS_MAX) {
		m->rows_dropped++;
		return NULL;
	}
	r = &m->rows[m->n_rows++];
	memset(r, 0, sizeof(*r));
	snprintf(r->parent, sizeof(r->parent), "%s", parent);
	snprintf(r->type, sizeof(r->type), "%s", type);
	return r;
}

/* "HH:MM:SS" (UTC, as the "time" field of a log) of wall_ns */
static void short_time(int64_t wall_ns, char *out, size_t sz)
{
	char iso[32];

	json_fmt_time(iso, wall_ns);
	snprintf(out, sz, "%.8s", iso + 11);
}

static void feed_event(struct top_model *m, const struct record *rec)
{
	const struct record_event *ev = &rec->ev;
	enum top_outcome cls = classify(rec->kind, ev->outcome);
	uint64_t n = ev->count ? ev->count : 1;
	char parent[TOP_TEXT_MAX], type[TOP_TEXT_MAX], device[TOP_TEXT_MAX];
	const char *pa = name(parent, sizeof(parent), ev->node.parent);
	const char *ty = name(type, sizeof(type), ev->node.mdev_type);
	struct top_recent *rc;
	struct top_row *r;
	char when[32];

	sat_inc_u64(&m->coalesced, n - 1);
	short_time(rec->wall_ns, when, sizeof(when));
	sat_inc_u64(&m->totals[cls], n);
	r = row_for(m, pa, ty);
	if (r) {
		sat_inc_u64(&r->counts[cls], n);
		r->last_ts = rec->ts_ns;
		if (cls != TOP_READ) {
			c_escape(r->last_remote, sizeof(r->last_remote),
				 ev->data.p ? ev->data.p : "", ev->data.len);
			snprintf(r->last_time, sizeof(r->last_time), "%s", when);
		}
		if (ev->verdict)
			text(r->last_rule, sizeof(r->last_rule), ev->rule, "?");
	}
	rc = &m->recent[m->recent_head];
	m->recent_head = (m->recent_head + 1) % TOP_RECENT_MAX;
	if (m->n_recent < TOP_RECENT_MAX)
		m->n_recent++;
	memset(rc, 0, sizeof(*rc));
	snprintf(rc->time, sizeof(rc->time), "%s", when);
	rc->pid = ev->pid;
	name(rc->comm, sizeof(rc->comm), ev->comm);
	if (!ev->comm.p)
		snprintf(rc->comm, sizeof(rc->comm), "?");
	snprintf(rc->op, sizeof(rc->op), "%s", record_kind_name(rec->kind));
	snprintf(rc->where, sizeof(rc->where), "%s/%s", pa,
		 ev->node.device.p ? name(device, sizeof(device), ev->node.device) : ty);
	text(rc->outcome, sizeof(rc->outcome), ev->outcome, "?");
	text(rc->errname, sizeof(rc->errname), ev->errno_name, "-");
	c_escape(rc->bytes, sizeof(rc->bytes), ev->data.p ? ev->data.p : "", ev->data.len);
	if (ev->verdict) {
		text(rc->rule, sizeof(rc->rule), ev->rule, "?");
		infer_enforcement(m, ev->verdict);
	}
	rc->cls = cls;
}

static enum top_mig_outcome mig_classify(const char *outcome)
{
	for (int i = 0; outcome && i < TOP_MIG_OTHER; i++)
		if (!strcmp(outcome, mig_labels[i]))
			return (enum top_mig_outcome)i;
	return TOP_MIG_OTHER;
}

const struct top_migration *top_model_migration(const struct top_model *m, size_t i)
{
	return &m->mig[(m->mig_head + TOP_MIG_RECENT_MAX - 1 - i) % TOP_MIG_RECENT_MAX];
}

static void feed_migration(struct top_model *m, const struct record *rec)
{
	const struct record_migration *g = &rec->mig;
	struct top_migration *t = &m->mig[m->mig_head];

	m->mig_head = (m->mig_head + 1) % TOP_MIG_RECENT_MAX;
	if (m->n_mig < TOP_MIG_RECENT_MAX)
		m->n_mig++;
	memset(t, 0, sizeof(*t));
	t->cls = mig_classify(g->outcome);
	sat_inc_u64(&m->mig_totals[t->cls], 1);
	sat_inc_u64(&m->migrations, 1);
	short_time(rec->wall_ns, t->time, sizeof(t->time));
	name(t->device, sizeof(t->device), g->device);
	if (!g->device.p)
		snprintf(t->device, sizeof(t->device), "?");
	name(t->type, sizeof(t->type), g->mdev_type);
	if (!g->mdev_type.p)
		snprintf(t->type, sizeof(t->type), "-");
	text(t->role, sizeof(t->role), g->role, "?");
	text(t->outcome, sizeof(t->outcome), g->outcome, "?");
	text(t->errname, sizeof(t->errname), g->errno_name, "-");
	/* milliseconds, one decimal: downtime is read in ms */
	snprintf(t->down, sizeof(t->down), "%llu.%llu",
		 (unsigned long long)(g->stopped_ns / 1000000),
		 (unsigned long long)(g->stopped_ns / 100000 % 10));
	if (g->has_bytes)
		snprintf(t->bytes, sizeof(t->bytes), "%llu", (unsigned long long)g->bytes);
	else
		snprintf(t->bytes, sizeof(t->bytes), "-");
	if (g->who.vm.p && g->who.vm.len)
		name(t->vm, sizeof(t->vm), g->who.vm);
	else
		snprintf(t->vm, sizeof(t->vm), "-");
}

void top_model_feed_record(struct top_model *m, const struct record *r)
{
	if (!top_filter_pass(&m->filter, r)) {
		sat_inc_u64(&m->filtered, 1);
		return;
	}
	m->records++;
	switch (r->kind) {
	case RECORD_CHECK:
	case RECORD_READ:
		feed_event(m, r);
		break;
	case RECORD_START:
		text(m->mode, sizeof(m->mode), r->start.mode, "?");
		break;
	case RECORD_LOST:
		sat_inc_u64(&m->lost, r->lost.lost);
		sat_inc_u64(&m->lost_checks, r->lost.lost_checks);
		sat_inc_u64(&m->lost_reads, r->lost.lost_reads);
		break;
	case RECORD_ENFORCE:
		text(m->enforcement, sizeof(m->enforcement), r->enforce.state, "on");
		m->enforcement_seen = true;
		m->enforcement_inferred = 0;
		break;
	case RECORD_MIGRATION:
		feed_migration(m, r);
		break;
	default:
		break;
	}
}

int top_model_feed(struct top_model *m, const char *line, size_t len)
{
	/* the view is single-threaded; one parser for the process */
	static struct json_record_parser *parser;
	struct record r;

	if (!parser)
		parser = json_record_parser_new();
	if (!parser) {
		m->bad_records++;
		return -1;
	}
	switch (json_record_parse(parser, line, len, &r)) {
	case JSON_RECORD_OK:
		top_model_feed_record(m, &r);
		return 0;
	case JSON_RECORD_OTHER:
		/* audit-log records the file did not get count as lost */
		m->records++;
		sat_inc_u64(&m->lost, json_record_dropped(parser));
		return 0;
	default:
		m->bad_records++;
		return -1;
	}
}

static const struct top_model *sort_model;
static enum top_sort sort_key;

static uint64_t row_total(const struct top_row *r)
{
	uint64_t t = 0;

	for (int i = 0; i < TOP_OUTCOMES; i++)
		t = sat_add_u64(t, r->counts[i]);
	return t;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct top_row *ra = &sort_model->rows[*(const size_t *)a];
	const struct top_row *rb = &sort_model->rows[*(const size_t *)b];
	int c;

	if (sort_key == TOP_SORT_TOTAL && row_total(ra) != row_total(rb))
		return row_total(ra) < row_total(rb) ? 1 : -1;
	if (sort_key == TOP_SORT_RECENT && ra->last_ts != rb->last_ts)
		return ra->last_ts < rb->last_ts ? 1 : -1;
	c = strcmp(ra->parent, rb->parent);
	return c ? c : strcmp(ra->type, rb->type);
}

size_t top_model_order(const struct top_model *m, enum top_sort s,
		       size_t *idx, size_t max)
{
	size_t n = m->n_rows < max ? m->n_rows : max;

	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	/* qsort has no context argument in C11; the view is single-threaded */
	sort_model = m;
	sort_key = s;
	qsort(idx, n, sizeof(*idx), cmp_rows);
	return n;
}
