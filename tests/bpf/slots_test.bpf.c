// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * slots_test.bpf.c - the thread table (bpf/capture.bpf.h: slot_claim,
 * own_slot, end_call; bpf/maps.bpf.h thread_slots) on its own, with the
 * tracer's own headers: one operation per run, on the class and thread ids
 * the test chooses, so that windows collide as they rarely do on a host.
 *
 * Run with BPF_PROG_TEST_RUN (tests/bpf/slots_test.c); a raw tracepoint
 * program, as tests/bpf/matcher_test.bpf.c.  Never attached.
 */
#include "calls.bpf.h"
#include "slots_case.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct slots_case scase = {};
struct slots_result sresult = {};

/* The index of slot ts in tid's window of class cls (-1: not in it). */
static __always_inline int index_of(struct thread_slot *ts, __u32 cls, __u32 tid)
{
	for (int i = 0; i < MDEVVER_THREAD_PROBES; i++)
		if (thread_slot_at(cls, tid + i) == ts)
			return (tid + i) & (MDEVVER_THREAD_SLOTS - 1);
	return -1;
}

SEC("raw_tp")
int slots_run(void *ctx)
{
	__u32 tid = scase.tid, cls = scase.cls & 1;
	__u8 op = cls == MDEVVER_CLASS_CHECK ? MDEVVER_OP_CHECK : MDEVVER_OP_READ;
	struct thread_slot *ts;

	sresult.found = 0;
	sresult.index = -1;
	switch (scase.op) {
	case SLOTS_CLAIM:
		ts = slot_claim(cls, tid);
		if (!ts)
			return 0;
		slot_begin(ts, op, MDEVVER_F_SCOPE_MDEV, NULL, NULL, tid, NULL, 0,
			   0, 0);
		sresult.found = 1;
		sresult.index = index_of(ts, cls, tid);
		return 0;
	case SLOTS_END:
		ts = own_slot(cls, tid, true);
		if (!ts)
			return 0;
		end_call(op, &ts->call);
		sresult.found = 1;
		return 0;
	case SLOTS_OWN:
		ts = own_slot(cls, tid, scase.busy);
		if (!ts)
			return 0;
		sresult.found = 1;
		sresult.index = index_of(ts, cls, tid);
		return 0;
	case SLOTS_PEEK:
		ts = thread_slot_at(cls, scase.index);
		if (!ts)
			return 0;
		sresult.claim = ts->claim;
		sresult.run_gen = ts->runs.run.gen;
		return 0;
	case SLOTS_SET_RUN:
		ts = thread_slot_at(cls, scase.index);
		if (ts)
			ts->runs.run.gen = scase.gen;
		return 0;
	}
	return 0;
}
