// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * stdout_sink.c - text or JSON on a stream (stdout_sink.h).
 *
 * Records are formatted into one buffer and written with one fwrite per
 * poll round: a pipe or terminal behind stdout then costs a write(2) per
 * round, not per line, and output is never more than one round behind.
 */
#include <stdlib.h>

#include "stdout_sink.h"
#include "strbuf.h"
#include "text_fmt.h"

#define STDOUT_FLUSH_AT (64 * 1024)

struct stdout_sink {
	struct sink base;
	FILE *out;
	bool json, verbose;
	struct strbuf buf;
};

static void stdout_flush(struct sink *s)
{
	struct stdout_sink *o = (struct stdout_sink *)s;

	if (o->buf.len)
		fwrite(o->buf.p, 1, o->buf.len, o->out);
	sb_reset(&o->buf);
	o->buf.oom = false;
	fflush(o->out);
}

static void stdout_record(struct sink *s, struct pipeline *p, const struct record *r)
{
	struct stdout_sink *o = (struct stdout_sink *)s;

	if (o->json) {
		size_t len;
		const char *line = pipeline_json(p, r, &len);

		if (line)
			sb_put(&o->buf, line, len);
	} else {
		/* the start record has no text line: the column header
		 * stands in its place */
		if (r->kind == RECORD_START)
			text_fmt_header(&o->buf);
		text_fmt_record(&o->buf, r, o->verbose);
	}
	if (o->buf.len >= STDOUT_FLUSH_AT || o->buf.oom) {
		fwrite(o->buf.p, 1, o->buf.len, o->out);
		sb_reset(&o->buf);
		o->buf.oom = false;
	}
}

static void stdout_close(struct sink *s)
{
	struct stdout_sink *o = (struct stdout_sink *)s;

	stdout_flush(s);
	sb_free(&o->buf);
	free(o);
}

static const struct sink_ops stdout_ops = {
	.name = "stdout",
	.record = stdout_record,
	.flush = stdout_flush,
	.close = stdout_close,
};

struct sink *stdout_sink_new(FILE *out, bool json, bool verbose)
{
	struct stdout_sink *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->base.ops = &stdout_ops;
	o->out = out;
	o->json = json;
	o->verbose = verbose;
	if (!sb_reserve(&o->buf, STDOUT_FLUSH_AT + 8192)) {
		free(o);
		return NULL;
	}
	return &o->base;
}
