// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * top_model.c - aggregates JSON records into the live view's numbers.
 * Parsing goes through json-c; the kernel path formats its events to the
 * same JSON first, so replayed logs and live tracing cannot disagree.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>


#include "escape.h"
#include "json_record.h"
#include "top_model.h"

static const char *const outcome_labels[TOP_OUTCOMES] = {
	[TOP_COMPATIBLE] = "compatible",
	[TOP_INCOMPATIBLE] = "incompatible",
	[TOP_UNSUPPORTED] = "unsupported",
	[TOP_DENIED] = "denied",
	[TOP_OTHER] = "other",
	[TOP_READ] = "reads",
};

const char *top_outcome_label(enum top_outcome o)
{
	return o < TOP_OUTCOMES ? outcome_labels[o] : "?";
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

	memcpy(mode, m->mode, sizeof(mode));
	memcpy(enf, m->enforcement, sizeof(enf));
	top_model_init(m);
	memcpy(m->mode, mode, sizeof(mode));
	memcpy(m->enforcement, enf, sizeof(enf));
}

/* "bytes" is a byte string (one code point per byte): back to bytes. */
static size_t byte_string(struct json_object *o, const char *key,
			  unsigned char *out, size_t max)
{
	struct json_object *v;
	const unsigned char *s;
	size_t n = 0, len;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return 0;
	s = (const unsigned char *)json_object_get_string(v);
	len = json_object_get_string_len(v);
	for (size_t i = 0; i < len && n < max; i++) {
		if (s[i] == 0xc2 || s[i] == 0xc3) {	/* U+0080..U+00FF */
			if (i + 1 < len)
				out[n++] = (unsigned char)((s[i] & 0x03) << 6 | (s[i + 1] & 0x3f));
			i++;
		} else {
			out[n++] = s[i];
		}
	}
	return n;
}

static enum top_outcome classify(const char *event, const char *outcome)
{
	if (!strcmp(event, "read"))
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
	return TOP_OTHER;
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

static void short_time(const char *iso, char *out, size_t sz)
{
	/* "2026-11-23T21:17:07.123Z" -> "21:17:07" */
	const char *t = iso ? strchr(iso, 'T') : NULL;

	snprintf(out, sz, "%.8s", t ? t + 1 : "?");
}

static void feed_event(struct top_model *m, struct json_object *o,
		       const char *event)
{
	const char *outcome = json_record_str(o, "outcome");
	const char *parent = json_record_str(o, "parent");
	const char *type = json_record_str(o, "mdev_type");
	const char *device = json_record_str(o, "device");
	const char *comm = json_record_str(o, "comm");
	const char *errname = json_record_str(o, "errno_name");
	enum top_outcome cls = classify(event, outcome);
	unsigned char bytes[4096];
	size_t n = byte_string(o, "bytes", bytes, sizeof(bytes));
	struct top_recent *rc;
	struct top_row *r;
	char when[32];

	short_time(json_record_str(o, "time"), when, sizeof(when));
	m->totals[cls]++;
	r = row_for(m, parent ? parent : "?", type ? type : "?");
	if (r) {
		r->counts[cls]++;
		r->last_ts = json_record_i64(o, "ts_ns");
		if (cls != TOP_READ) {
			c_escape(r->last_remote, sizeof(r->last_remote), bytes, n);
			snprintf(r->last_time, sizeof(r->last_time), "%s", when);
		}
	}
	rc = &m->recent[m->recent_head];
	m->recent_head = (m->recent_head + 1) % TOP_RECENT_MAX;
	if (m->n_recent < TOP_RECENT_MAX)
		m->n_recent++;
	memset(rc, 0, sizeof(*rc));
	snprintf(rc->time, sizeof(rc->time), "%s", when);
	rc->pid = (uint32_t)json_record_i64(o, "pid");
	snprintf(rc->comm, sizeof(rc->comm), "%s", comm ? comm : "?");
	snprintf(rc->op, sizeof(rc->op), "%s", event);
	if (device)
		snprintf(rc->where, sizeof(rc->where), "%s/%s", parent ? parent : "?", device);
	else
		snprintf(rc->where, sizeof(rc->where), "%s/%s", parent ? parent : "?",
			 type ? type : "?");
	snprintf(rc->outcome, sizeof(rc->outcome), "%s", outcome ? outcome : "?");
	snprintf(rc->errname, sizeof(rc->errname), "%s", errname ? errname : "-");
	c_escape(rc->bytes, sizeof(rc->bytes), bytes, n);
	rc->cls = cls;
}

int top_model_feed(struct top_model *m, const char *line, size_t len)
{
	struct json_object *o = json_record_parse(line, len);
	const char *event;
	int ret = 0;

	if (!o) {
		m->bad_records++;
		return -1;
	}
	event = json_record_str(o, "event");
	m->records++;
	if (!strcmp(event, "check") || !strcmp(event, "read")) {
		feed_event(m, o, event);
	} else if (!strcmp(event, "start")) {
		const char *mode = json_record_str(o, "mode");

		snprintf(m->mode, sizeof(m->mode), "%s", mode ? mode : "?");
	} else if (!strcmp(event, "lost")) {
		m->lost += json_record_i64(o, "lost");
	} else if (!strcmp(event, "dropped")) {
		m->lost += json_record_i64(o, "dropped");
	} else if (!strcmp(event, "enforce")) {
		const char *state = json_record_str(o, "state");

		snprintf(m->enforcement, sizeof(m->enforcement), "%s", state ? state : "on");
	}
	json_object_put(o);
	return ret;
}

static const struct top_model *sort_model;
static enum top_sort sort_key;

static uint64_t row_total(const struct top_row *r)
{
	uint64_t t = 0;

	for (int i = 0; i < TOP_OUTCOMES; i++)
		t += r->counts[i];
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
