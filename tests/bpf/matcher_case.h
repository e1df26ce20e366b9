/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * matcher_case.h - one check as the matcher test hands it to the kernel
 * (matcher_test.c writes it into the test object's .bss, the program
 * matcher_test.bpf.c judges it) and the verdict it reads back.
 */
#ifndef MDEVVER_MATCHER_CASE_H
#define MDEVVER_MATCHER_CASE_H

#include "mdevver_trace.h"

/* the node id the case's learned local string is filed under (nodes) */
#define MATCHER_NODE_INO	1

struct matcher_case {
	__u64 cgroup;
	__u32 uid;
	__u32 remote_len;
	__u32 remote_missing;	/* 0: remote[] known; else enum mdevver_fail_closed */
	__u8 op;		/* MDEVVER_OP_* */
	__u8 type_known;	/* op MIGRATE: 0 is a device with no mdev type */
	__u8 state;		/* op MIGRATE: the target state */
	__u8 __pad;
	char comm[MDEVVER_TASK_COMM_LEN];
	char attr[MDEVVER_NAME_MAX];
	char type[MDEVVER_NAME_MAX];
	char parent[MDEVVER_NAME_MAX];
	char remote[MDEVVER_DATA_MAX];
};

enum matcher_status {
	MATCHER_JUDGED = 1,
	MATCHER_NOT_LOADED,	/* the generation has no policy for op */
	MATCHER_NO_GEN,
	MATCHER_NO_SLOT,
};

struct matcher_result {
	__u32 status;		/* enum matcher_status */
	__u32 action;		/* MDEVVER_ACT_* */
	__u32 rule_id;
	__u32 fail_closed;
	__u32 gen;
	__u32 __pad;
};

#endif
