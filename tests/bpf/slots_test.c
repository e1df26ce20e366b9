// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * slots_test.c - the thread table tested on its own (tests/bpf/
 * slots_test.bpf.c over bpf/capture.bpf.h), as the kernel selftests test
 * BPF programs: each operation is one BPF_PROG_TEST_RUN on a class and
 * thread id the test chooses, so windows collide, slots are taken over,
 * exits go missing and readers crowd a checking thread's window on
 * purpose -- what a host does rarely and a flood test cannot arrange.  One line per test: "PASS name" or "FAIL name" with what
 * differed.  Exit 0 when all pass, 1 when any failed, 2 when the test
 * could not run.
 *
 * usage: slots_test     (root: loads a BPF program; run in the VM)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "mdevver_trace.h"
#include "slots_case.h"
#include "slots_test.skel.h"
#include "unit.h"

/* as bpf/maps.bpf.h (the test asserts on indexes and claim words) */
#define THREAD_SLOTS	1024
#define SLOT_BUSY	1ull

static struct slots_test_bpf *skel;

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

/* The class the next operations work on (enum mdevver_class). */
static __u32 cls = MDEVVER_CLASS_CHECK;

/* One operation; the result in skel->bss->sresult.  -1: the run failed. */
static int op(__u32 what, __u32 tid, __u32 busy_or_index, __u32 gen)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	skel->bss->scase = (struct slots_case){
		.op = what, .cls = cls, .tid = tid, .busy = busy_or_index,
		.index = busy_or_index, .gen = gen,
	};
	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.slots_run), &opts))
		return -1;
	return 0;
}

static int claim(__u32 tid)
{
	if (op(SLOTS_CLAIM, tid, 0, 0))
		return -2;
	return skel->bss->sresult.found ? skel->bss->sresult.index : -1;
}

static int own(__u32 tid, int busy)
{
	if (op(SLOTS_OWN, tid, busy, 0))
		return -2;
	return skel->bss->sresult.found ? skel->bss->sresult.index : -1;
}

static int end(__u32 tid)
{
	if (op(SLOTS_END, tid, 0, 0))
		return -2;
	return skel->bss->sresult.found;
}

static __u64 peek_claim(__u32 index)
{
	op(SLOTS_PEEK, 0, index, 0);
	return skel->bss->sresult.claim;
}

static __u32 peek_run(__u32 index)
{
	op(SLOTS_PEEK, 0, index, 0);
	return skel->bss->sresult.run_gen;
}

static __s64 open_checks(void)
{
	return skel->bss->open_calls[MDEVVER_CLASS_CHECK];
}

/* A thread's first call takes the slot at its id; its exit leaves it
 * idle, still the thread's, with its run. */
static void test_home_slot(void)
{
	__u32 t = 5000, home = 5000 % THREAD_SLOTS;
	__s64 open0 = open_checks();

	ASSERT_EQ((int)home, claim(t), "first call: the slot at the thread id");
	ASSERT_EQ((__u64)t << 32 | SLOT_BUSY, peek_claim(home), "claim word: owner, busy");
	ASSERT_EQ((int)home, own(t, 1), "its call in flight is found");
	ASSERT_EQ(open0 + 1, open_checks(), "one call open");
	ASSERT_EQ(1, end(t), "the exit finds the call");
	ASSERT_EQ(open0, open_checks(), "no call open");
	ASSERT_EQ((__u64)t << 32, peek_claim(home), "idle: still the thread's");
	ASSERT_EQ(-1, own(t, 1), "no call in flight");
	ASSERT_EQ((int)home, own(t, 0), "the idle slot is the thread's");
	ASSERT_EQ(0, end(t), "a second exit finds nothing");
	ASSERT_EQ(open0, open_checks(), "and counts nothing");
}

/* The thread's run survives between its calls. */
static void test_run_kept(void)
{
	__u32 t = 6100, home = 6100 % THREAD_SLOTS;

	ASSERT_EQ((int)home, claim(t), "first call");
	ASSERT_EQ(1, end(t), "its exit");
	op(SLOTS_SET_RUN, 0, home, 7);
	ASSERT_EQ((int)home, claim(t), "next call: the same slot");
	ASSERT_EQ(7u, peek_run(home), "its run is still there");
	ASSERT_EQ(1, end(t), "its exit");
}

/* Threads whose ids share an index take the next slots of the window;
 * a window all busy refuses the call; a slot freed is taken over, with
 * nothing of the last owner's run. */
static void test_collisions(void)
{
	__u32 base = 300, t[5];
	__u64 unseen0 = skel->bss->exit_unseen[MDEVVER_CLASS_CHECK];

	for (int i = 0; i < 5; i++)
		t[i] = base + (__u32)i * THREAD_SLOTS;
	ASSERT_EQ(300, claim(t[0]), "t0: its own index");
	op(SLOTS_SET_RUN, 0, 300, 9);
	ASSERT_EQ(301, claim(t[1]), "t1: the next slot");
	ASSERT_EQ(302, claim(t[2]), "t2: the one after");
	ASSERT_EQ(303, claim(t[3]), "t3: the last of the window");
	ASSERT_EQ(-1, claim(t[4]), "t4: every slot of its window busy");
	ASSERT_EQ(301, own(t[1], 1), "t1's call is found in its slot");
	ASSERT_EQ(1, end(t[0]), "t0's exit");
	ASSERT_EQ(300, claim(t[4]), "t4 takes t0's idle slot");
	ASSERT_EQ((__u64)t[4] << 32 | SLOT_BUSY, peek_claim(300), "t4 owns it");
	ASSERT_EQ(0u, peek_run(300), "nothing of t0's run");
	ASSERT_EQ(-1, own(t[0], 0), "t0 has no slot left");
	for (int i = 1; i < 5; i++)
		ASSERT_EQ(1, end(t[i]), "every other exit finds its call");
	ASSERT_EQ(unseen0, skel->bss->exit_unseen[MDEVVER_CLASS_CHECK],
		  "no exit counted unseen");
}

/* A call whose exit never ran: the thread's next call finds it busy,
 * counts it unseen and takes the slot again. */
static void test_exit_unseen(void)
{
	__u32 t = 7700, home = 7700 % THREAD_SLOTS;
	__u64 unseen0 = skel->bss->exit_unseen[MDEVVER_CLASS_CHECK];
	__s64 open0 = open_checks();

	ASSERT_EQ((int)home, claim(t), "a call");
	ASSERT_EQ((int)home, claim(t), "the next, its exit never seen");
	ASSERT_EQ(unseen0 + 1, skel->bss->exit_unseen[MDEVVER_CLASS_CHECK],
		  "one exit counted unseen");
	ASSERT_EQ(open0 + 1, open_checks(), "one call open, not two");
	ASSERT_EQ(1, end(t), "the second call's exit");
	ASSERT_EQ(open0, open_checks(), "none open");
}

/* Threads that read, their ids chosen to cover a checking thread's window,
 * hold every slot of that window in the reads' table: the check still
 * gets its slot (the checks' table is its own), and its exit finds it. */
static void test_reads_never_take_check_slots(void)
{
	__u32 victim = 900, r[4];

	cls = MDEVVER_CLASS_READ;
	for (int i = 0; i < 4; i++) {
		r[i] = victim + (__u32)i + 5 * THREAD_SLOTS;
		ASSERT_EQ((int)(victim + (__u32)i), claim(r[i]), "a reader holds a slot of the window");
	}
	ASSERT_EQ(-1, claim(victim), "a read of the victim: no slot left");
	cls = MDEVVER_CLASS_CHECK;
	ASSERT_EQ((int)victim, claim(victim), "the victim's check: its own slot");
	ASSERT_EQ((int)victim, own(victim, 1), "found in the checks' table");
	cls = MDEVVER_CLASS_READ;
	ASSERT_EQ(-1, own(victim, 1), "not in the reads' table");
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(1, end(r[i]), "each reader's exit");
	cls = MDEVVER_CLASS_CHECK;
	ASSERT_EQ(1, end(victim), "the check's exit");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(quiet);
	skel = slots_test_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "slots_test: loading the test program: %s\n", strerror(errno));
		return 2;
	}
	if (op(SLOTS_OWN, 1, 0, 0)) {
		fprintf(stderr, "slots_test: BPF_PROG_TEST_RUN: %s\n", strerror(errno));
		slots_test_bpf__destroy(skel);
		return 2;
	}
	RUN_TEST(test_home_slot);
	RUN_TEST(test_run_kept);
	RUN_TEST(test_collisions);
	RUN_TEST(test_exit_unseen);
	RUN_TEST(test_reads_never_take_check_slots);
	slots_test_bpf__destroy(skel);
	return unit_exit();
}
