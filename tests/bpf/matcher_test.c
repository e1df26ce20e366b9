// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * matcher_test.c - the in-kernel policy matcher tested on its own, as the
 * kernel selftests test BPF programs: every check of
 * tests/unit/policy_fixtures.h (the compiler's fixtures, with their
 * expected verdicts) is run through the matcher by BPF_PROG_TEST_RUN.
 *
 * Each fixture policy is parsed and compiled by user/enforce/ and written
 * into the test object's maps by policy_maps_write() - what enforce does -
 * into the inactive generation, then flipped; each check's learned local
 * string goes into nodes as enforce's scan files it (policy_node_entry).
 * One line per check: "PASS name" or "FAIL name" with what differed.
 * Exit 0 when all pass, 1 when any failed, 2 when the test could not run.
 *
 * usage: matcher_test     (root: loads a BPF program; run in the VM)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "matcher_case.h"
#include "matcher_test.skel.h"
#include "policy.h"
#include "policy_compile.h"
#include "policy_fixtures.h"
#include "policy_maps.h"
#include "unit.h"

static struct matcher_test_bpf *skel;
static struct policy_map_fds fds;
static const char *loaded;	/* the policy text in force */

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

/* The policy into the inactive generation and in force, as enforce does. */
static int load_policy(const char *text)
{
	__u32 key = MDEVVER_STATE_ACTIVE_GEN;
	__u64 active = 0;
	struct compiled_policy c;
	struct policy p;
	unsigned int target;
	char err[512];
	int ret;

	if (bpf_map_lookup_elem(fds.state, &key, &active))
		return -1;
	target = (unsigned int)(active & 1) ^ 1;
	if (policy_parse(text, strlen(text), "fixture", &p, err, sizeof(err))) {
		printf("  policy: %s\n", err);
		return -1;
	}
	ret = policy_compile(&p, target, "fixture", &c, err, sizeof(err));
	if (ret) {
		printf("  policy: %s\n", err);
	} else {
		ret = policy_maps_write(&fds, &p, &c, target);
		if (ret)
			printf("  policy maps: %s\n", strerror(errno));
		compiled_policy_free(&c);
	}
	policy_free(&p);
	return ret;
}

static void copy_str(char *dst, size_t sz, const char *s)
{
	memset(dst, 0, sz);
	snprintf(dst, sz, "%s", s);
}

static const struct fixture_check *cur;

static void judge_one(void)
{
	const struct fixture_check *f = cur;
	struct matcher_case *mc = &skel->bss->mcase;
	struct matcher_result *r = &skel->bss->mresult;
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	__u64 ino = MATCHER_NODE_INO;
	struct mdevver_node node;
	int err;

	if (!loaded || strcmp(loaded, f->policy)) {
		ASSERT_EQ(0, load_policy(f->policy), "policy loaded");
		loaded = f->policy;
	}
	if (f->local) {
		policy_node_entry(&node, f->local, strlen(f->local));
		ASSERT_EQ(0, bpf_map_update_elem(bpf_map__fd(skel->maps.nodes), &ino, &node,
						 BPF_ANY), "local string learned");
	} else {
		bpf_map_delete_elem(bpf_map__fd(skel->maps.nodes), &ino);
	}
	memset(mc, 0, sizeof(*mc));
	mc->op = f->op ? f->op : MDEVVER_OP_CHECK;
	mc->uid = f->uid;
	mc->cgroup = f->cgroup ? f->cgroup : FIXTURE_CGROUP;
	mc->remote_missing = f->remote_missing;
	if (f->remote) {
		mc->remote_len = f->remote_len ? f->remote_len : (__u32)strlen(f->remote);
		memcpy(mc->remote, f->remote, mc->remote_len);
	}
	mc->type_known = !f->type_unknown;
	mc->state = f->state;
	copy_str(mc->type, sizeof(mc->type), f->type ? f->type : FIXTURE_TYPE);
	copy_str(mc->attr, sizeof(mc->attr), f->attr ? f->attr : FIXTURE_ATTR);
	copy_str(mc->parent, sizeof(mc->parent), f->parent ? f->parent : FIXTURE_PARENT);
	copy_str(mc->comm, sizeof(mc->comm), f->comm ? f->comm : FIXTURE_COMM);
	memset(r, 0, sizeof(*r));

	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.matcher_judge), &opts);
	ASSERT_EQ(0, err, "BPF_PROG_TEST_RUN");
	if (f->unjudged) {
		ASSERT_EQ(MATCHER_NOT_LOADED, r->status, "not judged: no rules for op");
		return;
	}
	ASSERT_EQ(MATCHER_JUDGED, r->status, "judged");
	ASSERT_EQ(f->action, r->action, "action");
	if (f->action != MDEVVER_ACT_NONE)
		ASSERT_EQ(f->rule, (int)r->rule_id, "rule");
	ASSERT_EQ(f->fail_closed, r->fail_closed, "fail_closed");
}

int main(void)
{
	size_t n = sizeof(fixture_checks) / sizeof(fixture_checks[0]);

	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(quiet);
	skel = matcher_test_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "matcher_test: loading the test program: %s\n", strerror(errno));
		return 2;
	}
	fds = (struct policy_map_fds){
		.state = bpf_map__fd(skel->maps.enforce_state),
		.rules = bpf_map__fd(skel->maps.rules),
		.rule_names = bpf_map__fd(skel->maps.rule_names),
		.rule_index = bpf_map__fd(skel->maps.rule_index),
		.prefixes = bpf_map__fd(skel->maps.prefixes),
	};
	for (size_t i = 0; i < n; i++) {
		cur = &fixture_checks[i];
		unit_cur_failed = 0;
		judge_one();
		printf("%s %s\n", unit_cur_failed ? "FAIL" : "PASS", cur->name);
		if (unit_cur_failed)
			unit_any_failed = 1;
	}
	printf("# %zu checks through the in-kernel matcher\n", n);
	matcher_test_bpf__destroy(skel);
	return unit_exit();
}
