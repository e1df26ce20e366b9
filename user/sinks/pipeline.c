// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pipeline.c - hands each record to every sink (sink.h).
 *
 * The JSON form of a record is made lazily, at most once per record: the
 * first sink that asks formats it, the others get the same bytes.  So a run
 * with only text output and metrics formats no JSON at all, and one with
 * --json, an audit log and syslog formats it once.
 *
 * Identity is stamped here and nowhere else: every record of a run passes
 * through pipeline_emit, so this is the one place where seq can be
 * "1, 2, 3 ... with no holes" by construction (docs/event-schema.md).
 */
#include <stdlib.h>

#include "json_fmt.h"
#include "sink.h"

struct pipeline {
	struct sink *sinks[PIPELINE_SINKS_MAX];
	size_t n;
	struct strbuf json;
	const struct record *json_of;	/* the record json holds, while emitting */
	const char *host_id, *boot_id, *run_id;	/* NULL: do not stamp */
	uint64_t seq;			/* the last one given */
};

struct pipeline *pipeline_new(void)
{
	return calloc(1, sizeof(struct pipeline));
}

int pipeline_add(struct pipeline *p, struct sink *s)
{
	if (!s || p->n == PIPELINE_SINKS_MAX)
		return -1;
	p->sinks[p->n++] = s;
	return 0;
}

void pipeline_set_identity(struct pipeline *p, const char *host_id,
			   const char *boot_id, const char *run_id)
{
	p->host_id = host_id;
	p->boot_id = boot_id;
	p->run_id = run_id;
	p->seq = 0;
}

uint64_t pipeline_seq(const struct pipeline *p)
{
	return p->seq;
}

void pipeline_emit(struct pipeline *p, struct record *r)
{
	if (p->host_id) {
		r->host_id = p->host_id;
		r->boot_id = p->boot_id;
		r->run_id = p->run_id;
		r->seq = ++p->seq;
	}
	p->json_of = NULL;
	for (size_t i = 0; i < p->n; i++)
		p->sinks[i]->ops->record(p->sinks[i], p, r);
	/* the next record may live at the same address: never reuse */
	p->json_of = NULL;
}

const char *pipeline_json(struct pipeline *p, const struct record *r, size_t *len)
{
	if (p->json_of != r) {
		sb_reset(&p->json);
		p->json.oom = false;
		json_fmt_record(&p->json, r);
		if (p->json.oom) {
			*len = 0;
			return NULL;
		}
		p->json_of = r;
	}
	*len = p->json.len;
	return p->json.p;
}

void pipeline_flush(struct pipeline *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->sinks[i]->ops->flush)
			p->sinks[i]->ops->flush(p->sinks[i]);
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		if (p->sinks[i]->ops->close)
			p->sinks[i]->ops->close(p->sinks[i]);
	sb_free(&p->json);
	free(p);
}
