/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * slots_case.h - what tests/bpf/slots_test.c asks of the thread table's
 * code (tests/bpf/slots_test.bpf.c) and what it gets back.  Shared by the
 * test program and its driver only.
 */
#ifndef MDEVVER_SLOTS_CASE_H
#define MDEVVER_SLOTS_CASE_H

#include <linux/types.h>

enum slots_op {
	SLOTS_CLAIM,	/* slot_claim(cls, tid) and slot_begin(): a call begins */
	SLOTS_END,	/* the thread's call in flight ends (end_call) */
	SLOTS_OWN,	/* own_slot(cls, tid, busy): is there one? */
	SLOTS_PEEK,	/* the slot at index: its claim word, run, scope */
	SLOTS_SET_RUN,	/* the slot at index: a run in progress (gen) */
};

/* index: within the class's table; cls: enum mdevver_class */
struct slots_case {
	__u32 op;
	__u32 cls;
	__u32 tid;
	__u32 busy;	/* SLOTS_OWN */
	__u32 index;	/* SLOTS_PEEK, SLOTS_SET_RUN */
	__u32 gen;	/* SLOTS_SET_RUN */
};

struct slots_result {
	__s32 found;	/* CLAIM, END, OWN: a slot was had (1) or not (0) */
	__s32 index;	/* CLAIM, OWN: its index, else -1 */
	__u64 claim;	/* PEEK */
	__u32 run_gen;	/* PEEK: the slot's run (runs.run.gen) */
	__u32 __pad;
};

#endif
