// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * json_record.c - one JSON line to a struct record (json_record.h).
 *
 * Lifetime: the parsed json_object is kept in the parser until the next
 * line, so strings that need no decoding point straight into it; strings
 * with code points U+0080..U+00FF are decoded to their bytes into an arena
 * sized for the whole line up front (decoding never grows a string), so
 * pointers into it never move while one record is being built.
 */
#define _GNU_SOURCE	/* strptime, timegm */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "json_record.h"
#include "outcome.h"

struct json_record_parser {
	struct json_tokener *tok;
	struct json_object *obj;	/* the current line, kept alive */
	char *arena;			/* decoded byte strings */
	size_t arena_len, arena_cap;
	const char *event;
	uint64_t dropped;
};

struct json_record_parser *json_record_parser_new(void)
{
	struct json_record_parser *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->tok = json_tokener_new();
	if (!p->tok) {
		free(p);
		return NULL;
	}
	return p;
}

void json_record_parser_free(struct json_record_parser *p)
{
	if (!p)
		return;
	json_object_put(p->obj);
	json_tokener_free(p->tok);
	free(p->arena);
	free(p);
}

const char *json_record_event(const struct json_record_parser *p)
{
	return p->event;
}

uint64_t json_record_dropped(const struct json_record_parser *p)
{
	return p->dropped;
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/*
 * A byte string back to bytes: U+0080..U+00FF (UTF-8 0xc2/0xc3 + one byte)
 * is the byte of that value.  A code point above U+00FF cannot come from
 * this tool; its UTF-8 bytes are kept as they are.  absent: {NULL, 0}.
 */
static struct bytes str(struct json_record_parser *p, struct json_object *o,
			const char *key)
{
	struct json_object *v = get(o, key);
	struct bytes b = { NULL, 0 };
	const unsigned char *s;
	size_t len, i, n = 0;
	char *out;

	if (!v || !json_object_is_type(v, json_type_string))
		return b;
	s = (const unsigned char *)json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	for (i = 0; i < len && s[i] < 0x80; i++)
		;
	if (i == len) {		/* plain ASCII: json-c's copy is NUL-terminated */
		b.p = (const char *)s;
		b.len = len;
		return b;
	}
	if (p->arena_cap - p->arena_len < len + 1)
		return b;	/* cannot happen: the arena holds the whole line */
	out = p->arena + p->arena_len;
	for (i = 0; i < len; i++) {
		if ((s[i] == 0xc2 || s[i] == 0xc3) && i + 1 < len &&
		    (s[i + 1] & 0xc0) == 0x80) {
			out[n++] = (char)((s[i] & 0x03) << 6 | (s[i + 1] & 0x3f));
			i++;
		} else {
			out[n++] = (char)s[i];
		}
	}
	out[n] = '\0';
	p->arena_len += n + 1;
	b.p = out;
	b.len = n;
	return b;
}

/* A name (mode, outcome, ...) as a C string; NULL when absent. */
static const char *cstr(struct json_record_parser *p, struct json_object *o,
			const char *key)
{
	return str(p, o, key).p;
}

static uint64_t u64(struct json_object *o, const char *key, uint64_t dflt)
{
	struct json_object *v = get(o, key);

	return v && json_object_is_type(v, json_type_int) ?
	       json_object_get_uint64(v) : dflt;
}

static int64_t i64(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return v && json_object_is_type(v, json_type_int) ?
	       json_object_get_int64(v) : 0;
}

static bool boolean(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return v && json_object_is_type(v, json_type_boolean) &&
	       json_object_get_boolean(v);
}

/* "2026-11-23T21:17:07.123456789Z" -> ns since the epoch; 0 if malformed
 * or outside what int64 nanoseconds hold (years 1678..2261) */
static int64_t parse_time(const char *s)
{
	struct tm tm;
	const char *rest;
	int64_t ns = 0, secs;

	if (!s)
		return 0;
	memset(&tm, 0, sizeof(tm));
	rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest)
		return 0;
	if (*rest == '.') {
		int digits = 0;

		for (rest++; *rest >= '0' && *rest <= '9'; rest++) {
			if (digits++ < 9)
				ns = ns * 10 + (*rest - '0');
		}
		for (; digits < 9; digits++)
			ns *= 10;
	}
	secs = (int64_t)timegm(&tm);
	if (secs > INT64_MAX / 1000000000 - 1 || secs < INT64_MIN / 1000000000 + 1)
		return 0;
	return secs * 1000000000 + ns;
}

static uint16_t fail_closed_bits(struct json_object *o)
{
	struct json_object *a = get(o, "fail_closed");
	uint16_t bits = 0;

	if (!a || !json_object_is_type(a, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(a, i));

		for (unsigned int bit = 0; s && bit < FAIL_CLOSED_BITS; bit++)
			if (!strcmp(s, fail_closed_name(bit)))
				bits |= (uint16_t)(1u << bit);
	}
	return bits;
}

static void event(struct json_record_parser *p, struct json_object *o,
		  struct record_event *ev)
{
	struct json_object *vendor = get(o, "vendor");

	ev->count = u64(o, "count", 1);
	if (!ev->count)
		ev->count = 1;
	ev->mode = cstr(p, o, "mode");
	ev->pid = (uint32_t)u64(o, "pid", 0);
	ev->tid = (uint32_t)u64(o, "tid", 0);
	ev->ppid = (uint32_t)u64(o, "ppid", 0);
	ev->uid = (uint32_t)u64(o, "uid", 0);
	ev->gid = (uint32_t)u64(o, "gid", 0);
	ev->comm = str(p, o, "comm");
	ev->cgroup_id = u64(o, "cgroup_id", 0);
	ev->node.path = str(p, o, "path");
	ev->node.path_truncated = boolean(o, "path_truncated");
	ev->node.attr = str(p, o, "attr");
	ev->node.parent = str(p, o, "parent");
	ev->node.mdev_type = str(p, o, "mdev_type");
	ev->node.device = str(p, o, "device");
	ev->scope = cstr(p, o, "scope");
	ev->data = str(p, o, "bytes");
	ev->len = u64(o, "len", ev->data.len);
	ev->truncated = boolean(o, "truncated");
	ev->unreadable = boolean(o, "unreadable");
	ev->ret = i64(o, "ret");
	ev->errno_name = cstr(p, o, "errno_name");
	ev->outcome = cstr(p, o, "outcome");
	ev->verdict = cstr(p, o, "verdict");
	if (ev->verdict) {
		ev->rule = cstr(p, o, "rule");
		ev->driver_outcome = cstr(p, o, "driver_outcome");
		ev->fail_closed = fail_closed_bits(o);
	}
	ev->latency_ns = u64(o, "latency_ns", 0);
	if (vendor && json_object_is_type(vendor, json_type_object)) {
		ev->local = str(p, vendor, "local");
		ev->has_local = ev->local.p != NULL;
		ev->local_truncated = boolean(vendor, "local_truncated");
		if (get(vendor, "check_ret")) {
			ev->has_vendor_check = true;
			ev->vendor_check_ret = i64(vendor, "check_ret");
			ev->vendor_remote_len = (uint32_t)u64(vendor, "remote_len", 0);
		}
	}
}

/* Who drove it (lifecycle and migration records). */
static void actor(struct json_record_parser *p, struct json_object *o,
		  struct record_actor *w)
{
	w->pid = (uint32_t)u64(o, "pid", 0);
	w->tid = (uint32_t)u64(o, "tid", 0);
	w->uid = (uint32_t)u64(o, "uid", 0);
	w->comm = str(p, o, "comm");
	w->cgroup_id = u64(o, "cgroup_id", 0);
	w->vm = str(p, o, "vm");
	w->unit = str(p, o, "unit");
}

/* A migration record: what the live view's migrations panel shows, and
 * enough to write the record again. */
static void migration(struct json_record_parser *p, struct json_object *o,
		      struct record_migration *m)
{
	struct json_object *cb = get(o, "checks_before");

	actor(p, o, &m->who);
	m->device = str(p, o, "device");
	m->parent = str(p, o, "parent");
	m->mdev_type = str(p, o, "type");
	m->session = u64(o, "session", 0);
	m->role = cstr(p, o, "role");
	m->path = cstr(p, o, "path");
	m->outcome = cstr(p, o, "outcome");
	m->ret = i64(o, "ret");
	m->errno_name = cstr(p, o, "errno_name");
	m->changes = u64(o, "changes", 0);
	m->stopped_ns = u64(o, "stopped_ns", 0);
	m->has_bytes = get(o, "bytes") && json_object_is_type(get(o, "bytes"), json_type_int);
	m->bytes = u64(o, "bytes", 0);
	m->started_ns = u64(o, "started_ns", 0);
	m->started_wall_ns = parse_time(cstr(p, o, "started"));
	m->peer_session = u64(o, "peer_session", 0);
	m->peer_device = str(p, o, "peer_device");
	if (cb && json_object_is_type(cb, json_type_object)) {
		m->checks_compatible = u64(cb, "compatible", 0);
		m->checks_incompatible = u64(cb, "incompatible", 0);
		m->checks_other = u64(cb, "other", 0);
		m->last_check = cstr(p, cb, "last");
	}
}

/* A 128-bit id as the tracer writes it: 32 lowercase hex digits. */
static bool is_id128(const char *s)
{
	size_t i;

	if (!s)
		return false;
	for (i = 0; s[i]; i++)
		if (i == 32 || !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == 32;
}

/* The record's own identity, kept as it was written: all four valid, or
 * none (an unidentified record from before identity, or a damaged one). */
static void identity(struct json_record_parser *p, struct json_object *o,
		     struct record *r)
{
	const char *h = cstr(p, o, "host_id"), *b = cstr(p, o, "boot_id"),
		   *run = cstr(p, o, "run_id");
	uint64_t seq = u64(o, "seq", 0);

	if (!is_id128(h) || !is_id128(b) || !is_id128(run) || !seq)
		return;
	r->host_id = h;
	r->boot_id = b;
	r->run_id = run;
	r->seq = seq;
}

enum json_record_result json_record_parse(struct json_record_parser *p,
					  const char *line, size_t len,
					  struct record *r)
{
	struct json_object *o;
	const char *ev;

	json_object_put(p->obj);
	p->obj = NULL;
	p->event = NULL;
	p->dropped = 0;
	p->arena_len = 0;
	if (len > (size_t)INT32_MAX)
		return JSON_RECORD_MALFORMED;
	if (p->arena_cap < len + 1) {
		char *a = realloc(p->arena, len + 1);

		if (!a)
			return JSON_RECORD_MALFORMED;
		p->arena = a;
		p->arena_cap = len + 1;
	}
	json_tokener_reset(p->tok);
	o = json_tokener_parse_ex(p->tok, line, (int)len);
	if (!o)
		return JSON_RECORD_MALFORMED;
	p->obj = o;
	if (!json_object_is_type(o, json_type_object))
		return JSON_RECORD_MALFORMED;
	ev = cstr(p, o, "event");
	if (!ev)
		return JSON_RECORD_MALFORMED;
	p->event = ev;
	memset(r, 0, sizeof(*r));
	r->ts_ns = u64(o, "ts_ns", 0);
	r->wall_ns = parse_time(cstr(p, o, "time"));
	r->host = cstr(p, o, "host");
	identity(p, o, r);
	if (!strcmp(ev, "check") || !strcmp(ev, "read")) {
		r->kind = ev[0] == 'c' ? RECORD_CHECK : RECORD_READ;
		event(p, o, &r->ev);
	} else if (!strcmp(ev, "start")) {
		r->kind = RECORD_START;
		r->start.mode = cstr(p, o, "mode");
		r->start.attempts = cstr(p, o, "attempts");
		r->start.vendor_get = boolean(o, "vendor_get_version");
		r->start.vendor_check = boolean(o, "vendor_check");
		r->start.lifecycle = cstr(p, o, "lifecycle");
		r->start.host_id_from = cstr(p, o, "host_id_from");
	} else if (!strcmp(ev, "lost")) {
		r->kind = RECORD_LOST;
		r->lost.lost = u64(o, "lost", 0);
		r->lost.lost_checks = u64(o, "lost_checks", 0);
		r->lost.lost_reads = u64(o, "lost_reads", 0);
		r->lost.total_lost = u64(o, "total_lost", 0);
		r->lost.total_untracked = u64(o, "total_untracked", 0);
	} else if (!strcmp(ev, "enforce")) {
		r->kind = RECORD_ENFORCE;
		r->enforce.state = cstr(p, o, "state");
		r->enforce.policy = cstr(p, o, "policy");
		r->enforce.error = cstr(p, o, "error");
		r->enforce.rules = u64(o, "rules", 0);
		r->enforce.generation = (unsigned int)u64(o, "generation", 0);
	} else if (!strcmp(ev, "end")) {
		r->kind = RECORD_END;
		r->end.events = u64(o, "events", 0);
		r->end.checks = u64(o, "checks", 0);
		r->end.reads = u64(o, "reads", 0);
		r->end.lost_checks = u64(o, "lost_checks", 0);
		r->end.lost_reads = u64(o, "lost_reads", 0);
		r->end.total_lost = u64(o, "total_lost", 0);
		r->end.total_untracked = u64(o, "total_untracked", 0);
		r->end.strict_refused = u64(o, "strict_refused", 0);
	} else if (!strcmp(ev, "migration")) {
		r->kind = RECORD_MIGRATION;
		migration(p, o, &r->mig);
	} else {
		/* "lifecycle" too: the view shows migrations, joined from
		 * them by the tracer, not the single changes */
		if (!strcmp(ev, "dropped"))
			p->dropped = u64(o, "dropped", 0);
		return JSON_RECORD_OTHER;
	}
	return JSON_RECORD_OK;
}
