/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sink.h - where a record goes: one small interface for every sink (text
 * or JSON on stdout, the audit log and syslog, metrics, the live view) and
 * the pipeline that hands each record to all of them.
 *
 * A record is formatted as JSON at most once, on the first sink that asks
 * (pipeline_json); the JSON sinks share that one line.
 */
#ifndef MDEVVER_SINK_H
#define MDEVVER_SINK_H

#include <stddef.h>

#include "record.h"

struct pipeline;
struct sink;

struct sink_ops {
	const char *name;
	/* One record; p gives access to its shared JSON form. */
	void (*record)(struct sink *s, struct pipeline *p, const struct record *r);
	/* End of a poll round: push out what was buffered (optional). */
	void (*flush)(struct sink *s);
	/* Release everything (optional); the sink is not used afterwards. */
	void (*close)(struct sink *s);
};

/* Embedded at the start of every sink's own struct. */
struct sink {
	const struct sink_ops *ops;
};

#define PIPELINE_SINKS_MAX 8

struct pipeline;

struct pipeline *pipeline_new(void);
/* Adds s (the pipeline does not own it until pipeline_free closes it). */
int pipeline_add(struct pipeline *p, struct sink *s);
/*
 * The identity every record emitted from now on carries (the strings must
 * outlive the pipeline): the next record takes seq 1.  Without it records
 * go out as they are (tests, and records that keep their own identity).
 */
void pipeline_set_identity(struct pipeline *p, const char *host_id,
			   const char *boot_id, const char *run_id);
/* The seq the last record took (0: none yet, or no identity). */
uint64_t pipeline_seq(const struct pipeline *p);
/* Stamp r with the identity and the next seq (when set), then hand it to
 * every sink, in the order they were added. */
void pipeline_emit(struct pipeline *p, struct record *r);
/* The JSON line of the record being emitted ('\\n'-terminated, len bytes
 * with it), formatted on first use. */
const char *pipeline_json(struct pipeline *p, const struct record *r, size_t *len);
void pipeline_flush(struct pipeline *p);
/* Closes every sink, then frees the pipeline. */
void pipeline_free(struct pipeline *p);

#endif
