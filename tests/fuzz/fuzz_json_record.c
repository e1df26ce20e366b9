// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_json_record.c - the JSON record reader (user/record/json_record.c)
 * on any bytes, as `top --replay` uses it: each line through the live
 * view's model (user/sinks/top_model.c, top_model_feed), and each line
 * through the parser directly.
 *
 * Invariants: everything the view would draw is NUL-terminated and free
 * of control bytes (a log may hold any byte; a terminal must not see it);
 * a record read back is written again by the record formatter
 * (user/record/json_fmt.c) as one line that reads back as the same record
 * kind with the same byte strings.
 */
#define _GNU_SOURCE
#include <string.h>

#include "fuzz.h"
#include "json_fmt.h"
#include "json_record.h"
#include "top_model.h"

static struct top_model model;

#define CLEAN(s) check_clean(s, sizeof(s), #s)

static void check_clean(const char *s, size_t sz, const char *what)
{
	size_t n = strnlen(s, sz);

	FUZZ_CHECK(n < sz, "%s: not NUL-terminated", what);
	FUZZ_CHECK(fuzz_first_control(s, n, "") == n, "%s: control byte in \"%s\"", what, s);
}

static void check_model(const struct top_model *m)
{
	size_t idx[TOP_ROWS_MAX];

	CLEAN(m->mode);
	CLEAN(m->enforcement);
	FUZZ_CHECK(m->n_rows <= TOP_ROWS_MAX, "%zu rows", m->n_rows);
	for (size_t i = 0; i < m->n_rows; i++) {
		CLEAN(m->rows[i].parent);
		CLEAN(m->rows[i].type);
		CLEAN(m->rows[i].last_remote);
		CLEAN(m->rows[i].last_time);
	}
	FUZZ_CHECK(m->n_recent <= TOP_RECENT_MAX, "%zu recent", m->n_recent);
	for (size_t i = 0; i < m->n_recent; i++) {
		const struct top_recent *r = &m->recent[i];

		CLEAN(r->time);
		CLEAN(r->comm);
		CLEAN(r->op);
		CLEAN(r->where);
		CLEAN(r->outcome);
		CLEAN(r->errname);
		CLEAN(r->bytes);
	}
	for (int s = 0; s < TOP_SORTS; s++) {
		size_t n = top_model_order(m, (enum top_sort)s, idx, TOP_ROWS_MAX);

		FUZZ_CHECK(n == m->n_rows, "order: %zu of %zu rows", n, m->n_rows);
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(idx[i] < m->n_rows, "order: row %zu", idx[i]);
	}
}

static int same_bytes(struct bytes a, struct bytes b)
{
	if (!a.p || !b.p)
		return !a.p == !b.p;
	return a.len == b.len && !memcmp(a.p, b.p, a.len);
}

/* The record written again, and read back: same kind, same byte strings. */
static void check_rewrite(struct json_record_parser *p2, const struct record *r)
{
	struct strbuf b = { 0 };
	struct record r2;
	enum json_record_result res;
	size_t nl;

	/* records the tracer writes: "ret" is a byte count or -errno, never
	 * INT64_MIN (whose errno the formatter could not negate) */
	if ((r->kind == RECORD_CHECK || r->kind == RECORD_READ) && r->ev.ret == INT64_MIN)
		return;
	json_fmt_record(&b, r);
	FUZZ_CHECK(!b.oom, "strbuf oom");
	nl = b.len ? (size_t)((char *)memchr(b.p, '\n', b.len) - b.p) : 0;
	FUZZ_CHECK(b.len && b.p[b.len - 1] == '\n' && nl == b.len - 1,
		   "not one line: %.*s", (int)b.len, b.p);
	FUZZ_CHECK(fuzz_first_control(b.p, b.len, "\n") == b.len,
		   "control byte in %.*s", (int)b.len, b.p);
	res = json_record_parse(p2, b.p, b.len, &r2);
	FUZZ_CHECK(res == JSON_RECORD_OK, "rewritten record reads back as %d: %.*s",
		   (int)res, (int)b.len, b.p);
	FUZZ_CHECK(r2.kind == r->kind, "kind %d became %d", (int)r->kind, (int)r2.kind);
	FUZZ_CHECK(!r->host == !r2.host && (!r->host || !strcmp(r->host, r2.host)),
		   "host changed: %.*s", (int)b.len, b.p);
	if (r->kind == RECORD_CHECK || r->kind == RECORD_READ) {
		const struct record_event *a = &r->ev, *e = &r2.ev;
		struct bytes empty = { "", 0 };

		/* comm, path and bytes are always written ("" when absent) */
		FUZZ_CHECK(same_bytes(a->comm.p ? a->comm : empty, e->comm) &&
			   same_bytes(a->node.path.p ? a->node.path : empty, e->node.path) &&
			   same_bytes(a->data.p ? a->data : empty, e->data) &&
			   same_bytes(a->node.attr, e->node.attr) &&
			   same_bytes(a->node.parent, e->node.parent) &&
			   same_bytes(a->node.mdev_type, e->node.mdev_type) &&
			   same_bytes(a->node.device, e->node.device),
			   "byte strings changed: %.*s", (int)b.len, b.p);
		FUZZ_CHECK(a->count == e->count && a->ret == e->ret && a->pid == e->pid,
			   "numbers changed: %.*s", (int)b.len, b.p);
	}
	sb_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size;
	struct json_record_parser *p = json_record_parser_new();
	struct json_record_parser *p2 = json_record_parser_new();

	FUZZ_CHECK(p && p2, "json_record_parser_new");
	top_model_init(&model);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
		struct record r;

		/* the replay path: getline's lines, '\n' included */
		top_model_feed(&model, s, len);
		if (json_record_parse(p, s, len, &r) == JSON_RECORD_OK)
			check_rewrite(p2, &r);
		s += len;
	}
	check_model(&model);
	json_record_parser_free(p);
	json_record_parser_free(p2);
	return 0;
}
