/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * metrics.h - Prometheus text exposition over HTTP (libmicrohttpd): checks
 * by outcome and type, reads, denials by rule, lost events, audit records
 * dropped, attach mode.  Fed with the same JSON records as every other sink.
 */
#ifndef MDEVVER_METRICS_H
#define MDEVVER_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct metrics;

/* addr: "HOST:PORT" or "[V6]:PORT" (HOST may be empty: all addresses).
 * Returns NULL with a one-line reason in err. */
struct metrics *metrics_start(const char *addr, char *err, size_t errsz);
/* One JSON record (docs/event-schema.md). */
void metrics_feed(struct metrics *m, const char *line, size_t len);
void metrics_set_audit_dropped(struct metrics *m, uint64_t dropped);
void metrics_stop(struct metrics *m);

/* The exposition text (for tests and the HTTP handler); caller frees. */
char *metrics_render(struct metrics *m, size_t *len);

#endif
