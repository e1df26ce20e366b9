// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * matcher_test.bpf.c - the in-kernel policy matcher on its own: one
 * program that judges the check user space wrote into mcase with the real
 * matcher of bpf/policy.bpf.h (the tracer's own headers, not a copy):
 * generation reference and flags, scratch slot, the written bytes
 * (judge_remote_kernel, the prefix trie), the learned local string
 * (judge_local), the task facts (judge_task_facts) and judge_run
 * (index lookups, rule_holds).  Only where the facts come from differs
 * from judge_call() and judge_migrate(): names and task are given, not
 * read from a kernfs node or a VFIO device and the current task.
 *
 * Run with BPF_PROG_TEST_RUN (tests/bpf/matcher_test.c); a raw tracepoint
 * program, because 6.1 test-runs those and allows them the helpers and map
 * types (LPM trie) the matcher uses.  Never attached.
 */
#include "verdict.bpf.h"
#include "matcher_case.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct matcher_case mcase = {};
struct matcher_result mresult = {};

SEC("raw_tp")
int matcher_judge(void *ctx)
{
	struct judge *j;
	__u8 op = mcase.op;
	int gen;

	gen = policy_enter();
	if (gen < 0) {
		mresult.status = MATCHER_NO_GEN;
		return 0;
	}
	mresult.gen = gen;
	if ((gen_flags(gen) & verdict_need(op)) != verdict_need(op)) {
		mresult.status = MATCHER_NOT_LOADED;
		goto out;
	}
	j = judge_claim();
	if (!j) {
		mresult.status = MATCHER_NO_SLOT;
		goto out;
	}
	judge_gen(j, gen);
	/* the bytes as the dry run and the store's re-check have them */
	if (op == MDEVVER_OP_CHECK) {
		if (mcase.remote_missing)
			remote_unknown(j, mcase.remote_missing);
		else
			judge_remote_kernel(j, mcase.remote, mcase.remote_len);
	}
	if (op == MDEVVER_OP_MIGRATE) {
		/* judge_vfio()'s facts (judge_migrate()): type and parent
		 * always known, no type (hash 0) for a device not mdev */
		j->parent_hash = hash_kstr(j, mcase.parent);
		j->type_hash = mcase.type_known ? hash_kstr(j, mcase.type) : 0;
		j->known |= MDEVVER_RK_TYPE | MDEVVER_RK_PARENT;
		j->state = mcase.state;
	} else {
		/* judge_node()'s facts, from given names */
		j->attr_hash = hash_kstr(j, mcase.attr);
		j->parent_hash = hash_kstr(j, mcase.parent);
		j->known |= MDEVVER_RK_ATTR | MDEVVER_RK_PARENT;
		if (mcase.type_known) {
			j->type_hash = hash_kstr(j, mcase.type);
			j->known |= MDEVVER_RK_TYPE;
		}
		judge_local(j, MATCHER_NODE_INO);
	}
	bpf_probe_read_kernel(j->comm, sizeof(j->comm), mcase.comm);
	judge_task_facts(j, op, mcase.uid, mcase.cgroup);
	judge_run(j);
	mresult.action = j->best_action;
	mresult.rule_id = j->best_id;
	mresult.fail_closed = j->best_fail_closed;
	mresult.status = MATCHER_JUDGED;
	judge_release(j);
out:
	policy_exit(gen);
	return 0;
}
