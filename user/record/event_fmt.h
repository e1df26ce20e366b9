/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * event_fmt.h - the two output forms of the tracer: aligned text columns for
 * people and JSON Lines (docs/event-schema.md) for machines.  Pure
 * formatting: everything it needs comes in through struct output_ctx.
 */
#ifndef MDEVVER_EVENT_FMT_H
#define MDEVVER_EVENT_FMT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mdevver_trace.h"

/* Version of the JSON event schema; fields are only ever added. */
#define MDEVVER_SCHEMA_VERSION 1

struct output_ctx {
	FILE *out;
	bool json;
	bool verbose;
	const char *host;
	/* CLOCK_REALTIME - CLOCK_MONOTONIC, to turn BPF timestamps into time */
	int64_t realtime_offset_ns;
	/*
	 * Optional: the mdev type of a device directory (through its
	 * mdev_type link); NULL or a NULL return means unknown.
	 */
	const char *(*resolve_type)(const char *device_dir, char *buf,
				    size_t bufsz);
	/*
	 * Optional (enforcement): the name of rule id of policy generation
	 * gen; NULL means no longer known (a reload replaced it).
	 */
	const char *(*rule_name)(void *rule_ctx, unsigned int gen,
				 unsigned int id);
	void *rule_ctx;
};

/* "denied", "would-deny", "audit", "killed"; NULL for no verdict. */
const char *verdict_name(int verdict);
/* The outcome an event reports: a verdict overrides the driver's. */
const char *event_outcome_name(const struct mdevver_event *e);

const char *mode_name(int mode);

void output_text_header(const struct output_ctx *ctx);
/* A "start" record (JSON) or nothing (text: the banner goes to stderr). */
/* ts_ns: CLOCK_MONOTONIC of the record, taken once by the caller so every
 * sink gets the same time (event_now_ns()). */
uint64_t event_now_ns(void);
void output_start(const struct output_ctx *ctx, uint64_t ts_ns, const char *mode,
		  const char *attempts, bool vendor_get, bool vendor_check);
void output_event(const struct output_ctx *ctx, const struct mdevver_event *e);
/* delta: newly lost since the last report; totals since start */
void output_lost(const struct output_ctx *ctx, uint64_t ts_ns, uint64_t delta,
		 uint64_t total_lost, uint64_t total_untracked);
/* An "enforce" record: a policy came into force (error NULL) or a reload
 * was rejected (error says why; the previous policy stays). */
void output_enforce(const struct output_ctx *ctx, uint64_t ts_ns, const char *state,
		    const char *policy, uint64_t rules, unsigned int generation,
		    const char *error);
/* The "end" record: totals when tracing stops. */
void output_end(const struct output_ctx *ctx, uint64_t ts_ns, uint64_t events,
		uint64_t total_lost, uint64_t total_untracked);

#endif
