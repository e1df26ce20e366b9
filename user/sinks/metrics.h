/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * metrics.h - Prometheus text exposition over HTTP (libmicrohttpd): checks
 * by outcome and type, reads, denials by rule, lost events and lifecycle
 * records, audit records dropped, attach mode (docs/metrics.md).  Fed the typed records of the pipeline (no JSON
 * parsing); counts are of calls (a record's count), not of records.
 */
#ifndef MDEVVER_METRICS_H
#define MDEVVER_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "sink.h"

struct metrics;

/* addr: "HOST:PORT" or "[V6]:PORT" (HOST may be empty: all addresses).
 * Returns NULL with a one-line reason in err. */
struct metrics *metrics_start(const char *addr, char *err, size_t errsz);
/* One record (what the sink does). */
void metrics_record(struct metrics *m, const struct record *r);
/*
 * A sink feeding m, for the pipeline; a separate small object the pipeline
 * owns (pipeline_free frees it without touching m), so metrics_stop may
 * come before or after pipeline_free.  NULL on ENOMEM.
 */
struct sink *metrics_sink(struct metrics *m);
void metrics_set_audit_dropped(struct metrics *m, uint64_t dropped);
/* Lifecycle records lost in the kernel since start (the end record sets it
 * too): a total, like audit_dropped, read from the BPF counter each round. */
void metrics_set_lost_lifecycle(struct metrics *m, uint64_t lost);
/* enforce --strict: checks refused because they could not be recorded
 * (the end record sets it too). */
void metrics_set_strict_refused(struct metrics *m, uint64_t refused);
/*
 * Before rendering each scrape, the HTTP thread calls sync(ctx) -- outside
 * the metrics lock -- so the tracer can drain its rings and flush pending
 * repeats first: the scrape is then exact at the moment it is taken.
 * sync NULL: none.
 */
void metrics_set_sync(struct metrics *m, void (*sync)(void *ctx), void *ctx);
/* Test builds: a struct metrics without an HTTP daemon (metrics_stop frees it). */
struct metrics *metrics_new_unserved(void);
void metrics_stop(struct metrics *m);

/* The exposition text (for tests and the HTTP handler); caller frees. */
char *metrics_render(struct metrics *m, size_t *len);

#endif
