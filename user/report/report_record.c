// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report_record.c - one audit-log line to a report_record, with json-c.
 * Strict about what the report relies on (the line is one JSON object,
 * required fields have their schema types, strings are byte strings) and
 * silent about everything else: the schema only grows, unknown fields and
 * record kinds are not errors.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "report_record.h"

/* Decoded strings of the current line, one buffer per field, reused. */
enum field_buf {
	FB_HOST,
	FB_TYPE,
	FB_BYTES,
	FB_OUTCOME,
	FB_COMM,
	FB_RULE,
	FB_DEVICE,
	FB_ROLE,
	FB_PATH,
	FB_ERRNO,
	FB_VM,
	FB_PEER,
	FB_N,
};

struct report_parser {
	struct json_tokener *tok;
	struct {
		char *p;
		size_t cap;
	} buf[FB_N];
	char why[160];
};

struct report_parser *report_parser_new(void)
{
	struct report_parser *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->tok = json_tokener_new();
	if (!p->tok) {
		free(p);
		return NULL;
	}
	return p;
}

void report_parser_free(struct report_parser *p)
{
	if (!p)
		return;
	json_tokener_free(p->tok);
	for (int i = 0; i < FB_N; i++)
		free(p->buf[i].p);
	free(p);
}

/*
 * json-c hands strings back as UTF-8; the log's strings are byte strings
 * (code point = byte value), so U+0080..U+00FF (two UTF-8 bytes, lead 0xc2
 * or 0xc3) become one byte again.  Any higher code point means the string
 * is not a byte string: 0 on success, -1 then (or when out of memory).
 */
static int to_bytes(struct report_parser *p, enum field_buf fb, const char *s,
		    size_t len, struct bstr *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;
	char *d;

	if (p->buf[fb].cap < len + 1) {
		d = realloc(p->buf[fb].p, len + 1);
		if (!d)
			return -1;
		p->buf[fb].p = d;
		p->buf[fb].cap = len + 1;
	}
	d = p->buf[fb].p;
	for (size_t i = 0; i < len; i++) {
		if (u[i] < 0x80) {
			d[o++] = (char)u[i];
		} else if ((u[i] == 0xc2 || u[i] == 0xc3) && i + 1 < len &&
			   (u[i + 1] & 0xc0) == 0x80) {
			d[o++] = (char)(((u[i] & 0x03) << 6) | (u[i + 1] & 0x3f));
			i++;
		} else {
			return -1;
		}
	}
	out->p = d;
	out->len = o;
	return 0;
}

/* A string field as bytes; null gives "" when null_ok.  0 or -1. */
static int str_field(struct report_parser *p, struct json_object *o,
		     const char *key, enum field_buf fb, int null_ok,
		     struct bstr *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return -1;
	if (!v) {		/* JSON null */
		out->p = "";
		out->len = 0;
		return null_ok ? 0 : -1;
	}
	if (!json_object_is_type(v, json_type_string))
		return -1;
	return to_bytes(p, fb, json_object_get_string(v),
			(size_t)json_object_get_string_len(v), out);
}

static int int_field(struct json_object *o, const char *key, int64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_int64(v);
	return 0;
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * RFC 3339 UTC, "2026-11-23T21:17:07[.f]Z" with 0..9 fraction digits, to
 * the fixed 9-digit form: then plain text order is time order, whichever
 * precision a writer used.  0, or -1 for anything else.
 */
int report_normalize_time(const char *s, size_t len, char out[REPORT_TIME_LEN + 1])
{
	size_t frac = 0;

	if (len < 20 || s[len - 1] != 'Z' ||
	    !all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) ||
	    s[7] != '-' || !all_digits(s + 8, 2) || s[10] != 'T' ||
	    !all_digits(s + 11, 2) || s[13] != ':' || !all_digits(s + 14, 2) ||
	    s[16] != ':' || !all_digits(s + 17, 2))
		return -1;
	if (len > 20) {
		frac = len - 21;
		if (s[19] != '.' || frac < 1 || frac > 9 || !all_digits(s + 20, frac))
			return -1;
	}
	memcpy(out, s, 19);
	out[19] = '.';
	memset(out + 20, '0', 9);
	if (frac)
		memcpy(out + 20, s + 20, frac);
	out[29] = 'Z';
	out[30] = '\0';
	return 0;
}

static int bad(struct report_parser *p, const char **why, const char *kind,
	       const char *field)
{
	if (kind)
		snprintf(p->why, sizeof(p->why), "%s record: missing or invalid \"%s\"",
			 kind, field);
	else
		snprintf(p->why, sizeof(p->why), "record: missing or invalid \"%s\"", field);
	*why = p->why;
	return -1;
}

/* The fields of check and read records; -1 with *why set. */
static int parse_event(struct report_parser *p, struct json_object *o,
		       const char *kind, struct report_record *rec, const char **why)
{
	struct json_object *v;
	int64_t n;

	/* identical calls coalesced into this record (docs/delivery.md);
	 * records written before the field existed stand for one call */
	rec->count = 1;
	if (json_object_object_get_ex(o, "count", &v)) {
		if (int_field(o, "count", &n) || n < 1)
			return bad(p, why, kind, "count");
		rec->count = (uint64_t)n;
	}
	if (str_field(p, o, "mdev_type", FB_TYPE, 1, &rec->mdev_type))
		return bad(p, why, kind, "mdev_type");
	if (str_field(p, o, "bytes", FB_BYTES, 0, &rec->bytes))
		return bad(p, why, kind, "bytes");
	if (str_field(p, o, "outcome", FB_OUTCOME, 0, &rec->outcome) || !rec->outcome.len)
		return bad(p, why, kind, "outcome");
	if (rec->kind == REC_READ)
		return 0;
	if (str_field(p, o, "comm", FB_COMM, 0, &rec->comm))
		return bad(p, why, kind, "comm");
	/* "rule" comes with enforcement: optional, but a string when there */
	if (json_object_object_get_ex(o, "rule", &v) && v) {
		if (str_field(p, o, "rule", FB_RULE, 0, &rec->rule))
			return bad(p, why, kind, "rule");
		rec->has_rule = true;
	}
	return 0;
}

/* An optional string: absent or null is "". */
static int opt_str(struct report_parser *p, struct json_object *o, const char *key,
		   enum field_buf fb, struct bstr *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v) {
		out->p = "";
		out->len = 0;
		return 0;
	}
	return str_field(p, o, key, fb, 0, out);
}

/* An optional count: absent or null is 0 (*has false); never negative. */
static int opt_u64(struct json_object *o, const char *key, uint64_t *out, bool *has)
{
	struct json_object *v;
	int64_t n;

	*out = 0;
	if (has)
		*has = false;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (int_field(o, key, &n) || n < 0)
		return -1;
	*out = (uint64_t)n;
	if (has)
		*has = true;
	return 0;
}

/*
 * The fields of a migration record (docs/event-schema.md): what the
 * Migrations section needs is required (role, outcome, stopped_ns,
 * session, started); names may be null.  -1 with *why set.
 */
static int parse_migration(struct report_parser *p, struct json_object *o,
			   struct report_record *rec, const char **why)
{
	static const char kind[] = "migration";
	struct report_mig_fields *g = &rec->mig;
	struct json_object *v;
	int64_t n;

	if (opt_str(p, o, "type", FB_TYPE, &rec->mdev_type))
		return bad(p, why, kind, "type");
	if (str_field(p, o, "outcome", FB_OUTCOME, 0, &rec->outcome) || !rec->outcome.len)
		return bad(p, why, kind, "outcome");
	if (str_field(p, o, "role", FB_ROLE, 0, &g->role) || !g->role.len)
		return bad(p, why, kind, "role");
	if (opt_str(p, o, "device", FB_DEVICE, &g->device))
		return bad(p, why, kind, "device");
	if (opt_str(p, o, "path", FB_PATH, &g->path))
		return bad(p, why, kind, "path");
	if (opt_str(p, o, "errno_name", FB_ERRNO, &g->errno_name))
		return bad(p, why, kind, "errno_name");
	if (opt_str(p, o, "vm", FB_VM, &g->vm))
		return bad(p, why, kind, "vm");
	if (opt_str(p, o, "peer_device", FB_PEER, &g->peer_device))
		return bad(p, why, kind, "peer_device");
	if (int_field(o, "session", &n) || n < 0)
		return bad(p, why, kind, "session");
	g->session = (uint64_t)n;
	if (int_field(o, "stopped_ns", &n) || n < 0)
		return bad(p, why, kind, "stopped_ns");
	g->stopped_ns = (uint64_t)n;
	if (opt_u64(o, "peer_session", &g->peer_session, NULL))
		return bad(p, why, kind, "peer_session");
	if (opt_u64(o, "bytes", &g->bytes, &g->has_bytes))
		return bad(p, why, kind, "bytes");
	if (!json_object_object_get_ex(o, "started", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    report_normalize_time(json_object_get_string(v), (size_t)json_object_get_string_len(v),
			   g->started))
		return bad(p, why, kind, "started");
	return 0;
}

/* 32 lowercase hex digits (as the tracer writes ids) to 16 bytes; 0 or -1 */
static int id128(struct json_object *o, const char *key, uint8_t out[16])
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) != 32)
		return -1;
	s = json_object_get_string(v);
	for (int i = 0; i < 32; i++) {
		int d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' :
			s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10 : -1;

		if (d < 0)
			return -1;
		if (i % 2)
			out[i / 2] |= (uint8_t)d;
		else
			out[i / 2] = (uint8_t)(d << 4);
	}
	return 0;
}

/*
 * The record's identity, when it has one.  A damaged identity is not a
 * reason to drop the record's facts: it is then counted unidentified, like
 * a record from before identity.
 */
static void parse_identity(struct json_object *o, struct report_record *rec)
{
	int64_t seq = 0;

	rec->has_id = !id128(o, "host_id", rec->host_id) && !id128(o, "boot_id", rec->boot_id) &&
		      !id128(o, "run_id", rec->run_id) && !int_field(o, "seq", &seq) && seq > 0;
	rec->seq = rec->has_id ? (uint64_t)seq : 0;
}

static int parse_object(struct report_parser *p, struct json_object *o,
			struct report_record *rec, const char **why)
{
	struct json_object *v;
	const char *event, *t;
	int64_t schema, n;

	if (!json_object_object_get_ex(o, "event", &v) ||
	    !json_object_is_type(v, json_type_string))
		return bad(p, why, NULL, "event");
	event = json_object_get_string(v);
	if (!strcmp(event, "check"))
		rec->kind = REC_CHECK;
	else if (!strcmp(event, "read"))
		rec->kind = REC_READ;
	else if (!strcmp(event, "lost"))
		rec->kind = REC_LOST;
	else if (!strcmp(event, "dropped"))
		rec->kind = REC_DROPPED;
	else if (!strcmp(event, "lifecycle"))
		rec->kind = REC_LIFECYCLE;
	else if (!strcmp(event, "migration"))
		rec->kind = REC_MIGRATION;
	else
		rec->kind = REC_OTHER;
	/* unknown kinds are still records; messages name them only when the
	 * name is short plain text (it goes to a terminal) */
	if (!*event || strlen(event) > 32)
		event = "unknown";
	for (const char *c = event; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_') {
			event = "unknown";
			break;
		}

	if (int_field(o, "schema", &schema))
		return bad(p, why, event, "schema");
	if (schema != 1) {
		snprintf(p->why, sizeof(p->why),
			 "%s record: schema %lld not supported (this version reads schema 1)",
			 event, (long long)schema);
		*why = p->why;
		return -1;
	}
	if (str_field(p, o, "host", FB_HOST, 0, &rec->host))
		return bad(p, why, event, "host");
	if (!json_object_object_get_ex(o, "time", &v) ||
	    !json_object_is_type(v, json_type_string))
		return bad(p, why, event, "time");
	t = json_object_get_string(v);
	if (report_normalize_time(t, (size_t)json_object_get_string_len(v), rec->time))
		return bad(p, why, event, "time");
	parse_identity(o, rec);
	rec->is_end = rec->kind == REC_OTHER && !strcmp(json_object_get_string(
		json_object_object_get(o, "event")), "end");

	switch (rec->kind) {
	case REC_CHECK:
	case REC_READ:
		return parse_event(p, o, event, rec, why);
	case REC_LOST:
	case REC_DROPPED:
		if (int_field(o, event, &n) || n < 0)
			return bad(p, why, event, event);
		rec->lost = (uint64_t)n;
		return 0;
	case REC_MIGRATION:
		return parse_migration(p, o, rec, why);
	case REC_LIFECYCLE:
	case REC_OTHER:
		return 0;
	}
	return 0;
}

int report_parse_line(struct report_parser *p, const char *line, size_t len,
		      struct report_record *rec, const char **why)
{
	struct json_object *o;
	size_t end;
	int ret;

	while (len && isspace((unsigned char)line[len - 1]))
		len--;
	if (!len)
		return 1;
	memset(rec, 0, sizeof(*rec));
	*why = "not a JSON record";
	/* a raw NUL would end json-c's view of the line early */
	if (memchr(line, '\0', len) || len > (size_t)INT32_MAX)
		return -1;
	json_tokener_reset(p->tok);
	o = json_tokener_parse_ex(p->tok, line, (int)len);
	/* an object completes at its '}': NULL is an error or an unfinished
	 * line (json_tokener_continue), both not a record */
	if (!o)
		return -1;
	/* one object per line: trailing text is a broken or merged line */
	end = json_tokener_get_parse_end(p->tok);
	while (end < len && isspace((unsigned char)line[end]))
		end++;
	if (!json_object_is_type(o, json_type_object) || end < len) {
		json_object_put(o);
		return -1;
	}
	ret = parse_object(p, o, rec, why);
	json_object_put(o);
	return ret;
}
