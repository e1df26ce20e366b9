/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * runs.h - the user-space half of the coalescing of identical repeats
 * (protocol: include/mdevver_trace.h, "Coalescing of identical repeats").
 *
 * The BPF side counts a call identical to its thread's previous one in a
 * repeat slot instead of sending it.  This module keeps, per (class, slot),
 * the raw bytes of the run's template event (the event that started the
 * run), turns repeat records and pending slot counts back into that event
 * with a count, and counts the repeats whose template never arrived.
 */
#ifndef MDEVVER_RUNS_H
#define MDEVVER_RUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mdevver_trace.h"

struct runs;

/* Called for every run's repeats found: the template event (len bytes as
 * the ring gave them), the number of repeats and the latest one's time. */
typedef void (*runs_emit_fn)(void *ctx, int cls, const struct mdevver_event *tmpl,
			     size_t len, uint64_t count, uint64_t ts_ns);

/* Maps the repeat_slots map (BPF_F_MMAPABLE array of 2 *
 * MDEVVER_REPEAT_SLOTS struct mdevver_repeat_slot).  NULL with errno. */
struct runs *runs_open(int map_fd);
void runs_close(struct runs *rs);

/* Class of an event's op (MDEVVER_CLASS_*), or -1. */
int runs_class_of_op(unsigned int op);

/* An event was delivered: if it starts a run (run_gen != 0), keep it as
 * the template of (its class, run_slot). */
void runs_note_event(struct runs *rs, const struct mdevver_event *e, size_t len);

/* A MDEVVER_REC_REPEAT record from the ring: its repeats are emitted
 * through their template, or counted orphaned when there is none. */
void runs_repeat(struct runs *rs, const struct mdevver_repeat *rep,
		 runs_emit_fn emit, void *ctx);

/* After draining the rings: take pending repeats out of every slot whose
 * run's template was consumed and emit them.  final (after the last
 * drain): pending repeats without a template are taken out and counted
 * orphaned instead of left for later. */
void runs_flush(struct runs *rs, bool final, runs_emit_fn emit, void *ctx);

/* Repeats of class cls that could not be delivered (template never seen). */
uint64_t runs_orphaned(const struct runs *rs, int cls);

#endif
