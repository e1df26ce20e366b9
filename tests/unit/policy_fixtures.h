/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy_fixtures.h - policies the compiler's unit tests compile
 * (test_policy_compile.c asserts the map entries they become) and the
 * verdicts the in-kernel matcher must reach on them
 * (tests/bpf/matcher_test.c runs each check through bpf/policy.bpf.h).
 * One source, so the two tests cannot drift apart.
 */
#ifndef MDEVVER_POLICY_FIXTURES_H
#define MDEVVER_POLICY_FIXTURES_H

#include "mdevver_enforce.h"
#include "mdevver_vfio.h"

/* every key, both actions, negations, a local prefix */
#define FIXTURE_RULE_FIELDS \
	"deny remote=\"00028086-193b-i915-GVTg_V5_4\\n\" local=abc type=i915-GVTg_V5_8 " \
	"parent=0000:00:02.0 attr=version op=check comm!=libvirtd uid=0 cgroup!=1 name=r1\n" \
	"audit op=read comm=qemu uid!=107 cgroup=1 local=xy*\n"

/* exact remotes (a trailing newline, an embedded NUL), prefixes, "*" */
#define FIXTURE_REMOTE_FORMS \
	"deny remote=abc\n" \
	"deny remote=\"abc\\n\"\n" \
	"deny remote=\"a\\x00b\"\n" \
	"deny remote=abc*\n" \
	"deny remote=*\n"

/* each kind in turn as the primary key */
#define FIXTURE_TIE_ORDER \
	/* 0 */ "deny remote=r* local=L comm=C uid=5 cgroup=7 parent=P type=T attr=A\n" \
	/* 1 */ "deny remote=R local=L1 type=T1\n" \
	/* 2 */ "deny local=L2 comm=C uid=5 cgroup=7 parent=P type=T attr=A\n" \
	/* 3 */ "deny local=l3* comm=C uid=5 cgroup=7 parent=P type=T attr=A\n" \
	/* 4 */ "deny comm=C3 uid=5 cgroup=7 parent=P type=T attr=A\n" \
	/* 5 */ "deny comm!=C uid=6 cgroup=7 parent=P type=T attr=A\n" \
	/* 6 */ "deny comm!=C uid!=5 cgroup=8 parent=P type=T attr=A\n" \
	/* 7 */ "deny comm!=C uid!=5 cgroup!=7 parent=P9 type=T attr=A\n" \
	/* 8 */ "deny comm!=C uid!=5 cgroup!=7 type=T9 attr=A\n" \
	/* 9 */ "deny comm!=C uid!=5 cgroup!=7 attr=A9\n" \
	/* 10 */ "audit op=check comm!=C uid!=5 cgroup!=7\n" \
	/* 11 */ "deny op=read\n" \
	/* 12 */ "audit local=L12 type=T12\n" \
	/* 13 */ "audit type=T13\n"

/* nested prefixes shared by remote and local rules */
#define FIXTURE_PREFIXES \
	"deny remote=ab*\n" \
	"deny remote=abc*\n" \
	"deny remote=x*\n" \
	"audit remote=abc* name=again\n" \
	"deny local=ab* type=T\n"

/* compiled for both generations */
#define FIXTURE_GENERATIONS \
	"deny remote=ab* type=T\naudit local=abc* op=read\ndeny remote=x\n" \
	"deny comm!=x uid=3\naudit op=check\n"

/* op=migrate: a state change's target, type, parent and process; a rule
 * without op (rule 3) never judges a state change */
#define FIXTURE_MIGRATE \
	/* 0 */ "deny op=migrate state=RESUMING comm!=qemu name=resume-vmm-only\n" \
	/* 1 */ "audit op=migrate type=mtty-2\n" \
	/* 2 */ "deny op=migrate state=STOP_COPY uid=1000\n" \
	/* 3 */ "deny comm=evil\n" \
	/* 4 */ "audit op=migrate parent=P state=RUNNING\n"

/*
 * One check or read and the verdict it must get.  Facts left 0/NULL take
 * the defaults below; type_unknown: the device's mdev type is not known;
 * local NULL: the device's own string is not learned; remote_missing: the
 * written bytes are not known (enum mdevver_fail_closed, why).
 */
#define FIXTURE_ATTR	"version"
#define FIXTURE_PARENT	"0000:00:02.0"
#define FIXTURE_TYPE	"i915-GVTg_V5_4"
#define FIXTURE_COMM	"libvirtd"
#define FIXTURE_CGROUP	1
#define FIXTURE_NONE	(-1)	/* expected rule when no rule matches */

struct fixture_check {
	const char *name;
	const char *policy;
	unsigned char op;		/* MDEVVER_OP_*; 0: check */
	const char *remote;		/* the written bytes (strlen, or remote_len) */
	unsigned int remote_len;
	unsigned int remote_missing;
	const char *local;
	const char *type;
	int type_unknown;
	const char *parent, *attr, *comm;
	unsigned int uid;
	unsigned long long cgroup;
	/* expected */
	unsigned char action;		/* MDEVVER_ACT_* */
	int rule;			/* rule id (line order), FIXTURE_NONE */
	unsigned int fail_closed;
	int unjudged;			/* no rules for op in the generation
					 * (READ_RULES): the matcher is not asked */
	unsigned char state;		/* op MIGRATE: the target state; type
					 * unknown there: not an mdev device */
};

#define V54	"00028086-193b-i915-GVTg_V5_4"
#define V58	"i915-GVTg_V5_8"
#define CHECK	MDEVVER_OP_CHECK
#define READ	MDEVVER_OP_READ
#define MIG	MDEVVER_OP_MIGRATE
#define DENY	MDEVVER_ACT_DENY
#define AUDIT	MDEVVER_ACT_AUDIT
#define NONE	MDEVVER_ACT_NONE

static const struct fixture_check fixture_checks[] = {
	/* FIXTURE_RULE_FIELDS */
	{ "fields: all keys hold: deny r1", FIXTURE_RULE_FIELDS, CHECK, V54 "\n", 0, 0, "abc", V58, 0,
	  NULL, NULL, "qemu", 0, 2, DENY, 0, 0, 0, 0 },
	{ "fields: remote without its newline: same hash", FIXTURE_RULE_FIELDS, CHECK, V54, 0, 0, "abc", V58, 0,
	  NULL, NULL, "qemu", 0, 2, DENY, 0, 0, 0, 0 },
	{ "fields: comm!=libvirtd fails for libvirtd", FIXTURE_RULE_FIELDS, CHECK, V54 "\n", 0, 0, "abc", V58, 0,
	  NULL, NULL, "libvirtd", 0, 2, NONE, FIXTURE_NONE, 0, 0, 0 },
	{ "fields: cgroup!=1 fails in cgroup 1", FIXTURE_RULE_FIELDS, CHECK, V54 "\n", 0, 0, "abc", V58, 0,
	  NULL, NULL, "qemu", 0, 1, NONE, FIXTURE_NONE, 0, 0, 0 },
	{ "fields: another type", FIXTURE_RULE_FIELDS, CHECK, V54 "\n", 0, 0, "abc", NULL, 0,
	  NULL, NULL, "qemu", 0, 2, NONE, FIXTURE_NONE, 0, 0, 0 },
	{ "fields: another attr", FIXTURE_RULE_FIELDS, CHECK, V54 "\n", 0, 0, "abc", V58, 0,
	  NULL, "migration_version", "qemu", 0, 2, NONE, FIXTURE_NONE, 0, 0, 0 },
	{ "fields: uid 1 is not uid=0", FIXTURE_RULE_FIELDS, CHECK, V54 "\n", 0, 0, "abc", V58, 0,
	  NULL, NULL, "qemu", 1, 2, NONE, FIXTURE_NONE, 0, 0, 0 },
	{ "fields: local not learned: deny fails closed", FIXTURE_RULE_FIELDS, CHECK, V54 "\n", 0, 0, NULL, V58, 0,
	  NULL, NULL, "qemu", 0, 2, DENY, 0, MDEVVER_UNK_LOCAL, 0, 0 },
	{ "fields: type unknown: deny fails closed", FIXTURE_RULE_FIELDS, CHECK, V54 "\n", 0, 0, "abc", NULL, 1,
	  NULL, NULL, "qemu", 0, 2, DENY, 0, MDEVVER_UNK_TYPE, 0, 0 },
	{ "fields: no user buffer: deny fails closed", FIXTURE_RULE_FIELDS, CHECK, NULL, 0, MDEVVER_UNK_REMOTE_NOBUF,
	  "abc", V58, 0, NULL, NULL, "qemu", 0, 2, DENY, 0, MDEVVER_UNK_REMOTE_NOBUF, 0, 0 },
	{ "fields: read by qemu, local xy*: audit", FIXTURE_RULE_FIELDS, READ, NULL, 0, 0, "xyz\n", NULL, 0,
	  NULL, NULL, "qemu", 0, 1, AUDIT, 1, 0, 0, 0 },
	{ "fields: read by uid 107: nothing", FIXTURE_RULE_FIELDS, READ, NULL, 0, 0, "xyz", NULL, 0,
	  NULL, NULL, "qemu", 107, 1, NONE, FIXTURE_NONE, 0, 0, 0 },
	{ "fields: read, local x (not xy*): nothing", FIXTURE_RULE_FIELDS, READ, NULL, 0, 0, "x", NULL, 0,
	  NULL, NULL, "qemu", 0, 1, NONE, FIXTURE_NONE, 0, 0, 0 },
	{ "fields: read, local unknown: an audit needs the fact", FIXTURE_RULE_FIELDS, READ, NULL, 0, 0, NULL, NULL, 0,
	  NULL, NULL, "qemu", 0, 1, NONE, FIXTURE_NONE, 0, 0, 0 },

	/* FIXTURE_REMOTE_FORMS */
	{ "remote: abc: the first deny", FIXTURE_REMOTE_FORMS, CHECK, "abc", 0, 0, NULL, NULL, 0,
	  NULL, NULL, NULL, 0, 0, DENY, 0, 0, 0, 0 },
	{ "remote: abc\\n: the same rule", FIXTURE_REMOTE_FORMS, CHECK, "abc\n", 0, 0, NULL, NULL, 0,
	  NULL, NULL, NULL, 0, 0, DENY, 0, 0, 0, 0 },
	{ "remote: a\\0b (embedded NUL)", FIXTURE_REMOTE_FORMS, CHECK, "a\0b", 3, 0, NULL, NULL, 0,
	  NULL, NULL, NULL, 0, 0, DENY, 2, 0, 0, 0 },
	{ "remote: abcdef: prefix abc*", FIXTURE_REMOTE_FORMS, CHECK, "abcdef", 0, 0, NULL, NULL, 0,
	  NULL, NULL, NULL, 0, 0, DENY, 3, 0, 0, 0 },
	{ "remote: zzz: prefix *", FIXTURE_REMOTE_FORMS, CHECK, "zzz", 0, 0, NULL, NULL, 0,
	  NULL, NULL, NULL, 0, 0, DENY, 4, 0, 0, 0 },
	{ "remote: empty write: prefix *", FIXTURE_REMOTE_FORMS, CHECK, "", 0, 0, NULL, NULL, 0,
	  NULL, NULL, NULL, 0, 0, DENY, 4, 0, 0, 0 },
	{ "remote: a page too long: fails closed", FIXTURE_REMOTE_FORMS, CHECK, NULL, 0, MDEVVER_UNK_REMOTE_LONG,
	  NULL, NULL, 0, NULL, NULL, NULL, 0, 0, DENY, 0, MDEVVER_UNK_REMOTE_LONG, 0, 0 },
	{ "remote: a read, no read rules: not judged", FIXTURE_REMOTE_FORMS, READ, NULL, 0, 0, NULL, NULL, 0,
	  NULL, NULL, NULL, 0, 0, NONE, FIXTURE_NONE, 0, 1, 0 },
	{ "fields: a read of another comm: rules without op= judge checks only", FIXTURE_RULE_FIELDS, READ, NULL, 0,
	  0, "abc", V58, 0, NULL, NULL, "libvirtd", 0, 2, NONE, FIXTURE_NONE, 0, 0, 0 },

	/* FIXTURE_TIE_ORDER (comm libvirtd, uid 0, cgroup 1 unless said) */
	{ "tie: remote R local L1 type T1: deny 1 over audit 10", FIXTURE_TIE_ORDER, CHECK, "R", 0, 0, "L1", "T1", 0,
	  NULL, NULL, NULL, 0, 0, DENY, 1, 0, 0, 0 },
	{ "tie: nothing but op=check: audit 10", FIXTURE_TIE_ORDER, CHECK, "zz", 0, 0, "q", NULL, 0,
	  NULL, NULL, NULL, 0, 0, AUDIT, 10, 0, 0, 0 },
	{ "tie: a read: deny op=read", FIXTURE_TIE_ORDER, READ, NULL, 0, 0, "q", NULL, 0,
	  NULL, NULL, NULL, 0, 0, DENY, 11, 0, 0, 0 },
	{ "tie: remote r*, local L, C/5/7/P/T/A: deny 0", FIXTURE_TIE_ORDER, CHECK, "rabc", 0, 0, "L", "T", 0,
	  "P", "A", "C", 5, 7, DENY, 0, 0, 0, 0 },
	{ "tie: local L2, C/5/7/P/T/A: deny 2", FIXTURE_TIE_ORDER, CHECK, "zz", 0, 0, "L2", "T", 0,
	  "P", "A", "C", 5, 7, DENY, 2, 0, 0, 0 },
	{ "tie: local l3xyz: deny 3", FIXTURE_TIE_ORDER, CHECK, "zz", 0, 0, "l3xyz", "T", 0,
	  "P", "A", "C", 5, 7, DENY, 3, 0, 0, 0 },
	{ "tie: comm C3: deny 4", FIXTURE_TIE_ORDER, CHECK, "zz", 0, 0, "q", "T", 0,
	  "P", "A", "C3", 5, 7, DENY, 4, 0, 0, 0 },
	{ "tie: comm x uid 6: deny 5", FIXTURE_TIE_ORDER, CHECK, "zz", 0, 0, "q", "T", 0,
	  "P", "A", "x", 6, 7, DENY, 5, 0, 0, 0 },
	{ "tie: cgroup 8: deny 6 over audit 10", FIXTURE_TIE_ORDER, CHECK, "zz", 0, 0, "q", "T", 0,
	  "P", "A", "x", 0, 8, DENY, 6, 0, 0, 0 },
	{ "tie: parent P9: deny 7", FIXTURE_TIE_ORDER, CHECK, "zz", 0, 0, "q", "T", 0,
	  "P9", "A", "x", 0, 9, DENY, 7, 0, 0, 0 },
	{ "tie: type unknown, attr A: deny 8 fails closed", FIXTURE_TIE_ORDER, CHECK, "zz", 0, 0, "q", NULL, 1,
	  NULL, "A", "x", 0, 1, DENY, 8, MDEVVER_UNK_TYPE, 0, 0 },
	{ "tie: attr A9: deny 9", FIXTURE_TIE_ORDER, CHECK, "zz", 0, 0, "q", NULL, 0,
	  NULL, "A9", "x", 0, 1, DENY, 9, 0, 0, 0 },
	{ "tie: local L12 type T12: audit 12", FIXTURE_TIE_ORDER, CHECK, "zz", 0, 0, "L12", "T12", 0,
	  NULL, NULL, "C", 5, 7, AUDIT, 12, 0, 0, 0 },
	{ "tie: type T13: audit 13", FIXTURE_TIE_ORDER, CHECK, "zz", 0, 0, "q", "T13", 0,
	  NULL, NULL, "C", 5, 7, AUDIT, 13, 0, 0, 0 },
	{ "tie: comm C uid 5 cgroup 7, nothing else: nothing", FIXTURE_TIE_ORDER, CHECK, "zz", 0, 0, "q", NULL, 0,
	  NULL, NULL, "C", 5, 7, NONE, FIXTURE_NONE, 0, 0, 0 },

	/* FIXTURE_PREFIXES */
	{ "prefixes: abcd: ab* first", FIXTURE_PREFIXES, CHECK, "abcd", 0, 0, NULL, NULL, 0,
	  NULL, NULL, NULL, 0, 0, DENY, 0, 0, 0, 0 },
	{ "prefixes: x1: x*", FIXTURE_PREFIXES, CHECK, "x1", 0, 0, NULL, NULL, 0,
	  NULL, NULL, NULL, 0, 0, DENY, 2, 0, 0, 0 },
	{ "prefixes: a: no prefix", FIXTURE_PREFIXES, CHECK, "a", 0, 0, NULL, NULL, 0,
	  NULL, NULL, NULL, 0, 0, NONE, FIXTURE_NONE, 0, 0, 0 },
	{ "prefixes: local abz, type T: local ab*", FIXTURE_PREFIXES, CHECK, "q", 0, 0, "abz", "T", 0,
	  NULL, NULL, NULL, 0, 0, DENY, 4, 0, 0, 0 },
	{ "prefixes: local abz, type unknown: fails closed", FIXTURE_PREFIXES, CHECK, "q", 0, 0, "abz", NULL, 1,
	  NULL, NULL, NULL, 0, 0, DENY, 4, MDEVVER_UNK_TYPE, 0, 0 },
	{ "prefixes: local not learned, type T: fails closed", FIXTURE_PREFIXES, CHECK, "q", 0, 0, NULL, "T", 0,
	  NULL, NULL, NULL, 0, 0, DENY, 4, MDEVVER_UNK_LOCAL, 0, 0 },
	{ "prefixes: local a (short of ab*): nothing", FIXTURE_PREFIXES, CHECK, "q", 0, 0, "a", "T", 0,
	  NULL, NULL, NULL, 0, 0, NONE, FIXTURE_NONE, 0, 0, 0 },

	/* FIXTURE_GENERATIONS */
	{ "generations: abz type T: deny 0", FIXTURE_GENERATIONS, CHECK, "abz", 0, 0, NULL, "T", 0,
	  NULL, NULL, NULL, 0, 0, DENY, 0, 0, 0, 0 },
	{ "generations: x: deny 2", FIXTURE_GENERATIONS, CHECK, "x", 0, 0, NULL, NULL, 0,
	  NULL, NULL, NULL, 0, 0, DENY, 2, 0, 0, 0 },
	{ "generations: comm y uid 3: deny 3", FIXTURE_GENERATIONS, CHECK, "q", 0, 0, NULL, NULL, 0,
	  NULL, NULL, "y", 3, 0, DENY, 3, 0, 0, 0 },
	{ "generations: q: audit op=check", FIXTURE_GENERATIONS, CHECK, "q", 0, 0, NULL, NULL, 0,
	  NULL, NULL, NULL, 0, 0, AUDIT, 4, 0, 0, 0 },
	{ "generations: read, local abcd: audit 1", FIXTURE_GENERATIONS, READ, NULL, 0, 0, "abcd", NULL, 0,
	  NULL, NULL, NULL, 0, 0, AUDIT, 1, 0, 0, 0 },
	{ "generations: no buffer, type T: deny 0 fails closed", FIXTURE_GENERATIONS, CHECK, NULL, 0,
	  MDEVVER_UNK_REMOTE_NOBUF, NULL, "T", 0, NULL, NULL, NULL, 0, 0, DENY, 0, MDEVVER_UNK_REMOTE_NOBUF, 0, 0 },

	/* FIXTURE_MIGRATE (uid 0, cgroup 1, parent 0000:00:02.0 unless said) */
	{ "migrate: RESUMING by cp: deny 0", FIXTURE_MIGRATE, MIG, NULL, 0, 0, NULL, "mtty-1", 0,
	  NULL, NULL, "cp", 0, 0, DENY, 0, 0, 0, MDEVVER_MIG_RESUMING },
	{ "migrate: RESUMING by qemu into mtty-2: audit 1", FIXTURE_MIGRATE, MIG, NULL, 0, 0, NULL,
	  "mtty-2", 0, NULL, NULL, "qemu", 0, 0, AUDIT, 1, 0, 0, MDEVVER_MIG_RESUMING },
	{ "migrate: RESUMING by qemu into mtty-1: nothing", FIXTURE_MIGRATE, MIG, NULL, 0, 0, NULL,
	  "mtty-1", 0, NULL, NULL, "qemu", 0, 0, NONE, FIXTURE_NONE, 0, 0, MDEVVER_MIG_RESUMING },
	{ "migrate: RESUMING by cp into mtty-2: deny 0 over audit 1", FIXTURE_MIGRATE, MIG, NULL, 0, 0,
	  NULL, "mtty-2", 0, NULL, NULL, "cp", 0, 0, DENY, 0, 0, 0, MDEVVER_MIG_RESUMING },
	{ "migrate: STOP by cp: not RESUMING, nothing", FIXTURE_MIGRATE, MIG, NULL, 0, 0, NULL, "mtty-1", 0,
	  NULL, NULL, "cp", 0, 0, NONE, FIXTURE_NONE, 0, 0, MDEVVER_MIG_STOP },
	{ "migrate: STOP_COPY by uid 1000: deny 2", FIXTURE_MIGRATE, MIG, NULL, 0, 0, NULL, "mtty-1", 0,
	  NULL, NULL, "qemu", 1000, 0, DENY, 2, 0, 0, MDEVVER_MIG_STOP_COPY },
	{ "migrate: STOP_COPY by uid 0: nothing", FIXTURE_MIGRATE, MIG, NULL, 0, 0, NULL, "mtty-1", 0,
	  NULL, NULL, "qemu", 0, 0, NONE, FIXTURE_NONE, 0, 0, MDEVVER_MIG_STOP_COPY },
	{ "migrate: by evil: a rule without op judges checks only", FIXTURE_MIGRATE, MIG, NULL, 0, 0, NULL,
	  "mtty-1", 0, NULL, NULL, "evil", 0, 0, NONE, FIXTURE_NONE, 0, 0, MDEVVER_MIG_STOP },
	{ "migrate: RUNNING under parent P: audit 4", FIXTURE_MIGRATE, MIG, NULL, 0, 0, NULL, "mtty-1", 0,
	  "P", NULL, "qemu", 0, 0, AUDIT, 4, 0, 0, MDEVVER_MIG_RUNNING },
	{ "migrate: not an mdev device: type= never matches", FIXTURE_MIGRATE, MIG, NULL, 0, 0, NULL,
	  NULL, 1, NULL, NULL, "qemu", 0, 0, NONE, FIXTURE_NONE, 0, 0, MDEVVER_MIG_RESUMING },
	{ "migrate: a check by evil: deny 3", FIXTURE_MIGRATE, CHECK, "x", 0, 0, NULL, NULL, 0,
	  NULL, NULL, "evil", 0, 0, DENY, 3, 0, 0, 0 },
	{ "migrate: a check by cp: migrate rules judge no check", FIXTURE_MIGRATE, CHECK, "x", 0, 0, NULL,
	  "mtty-2", 0, NULL, NULL, "cp", 0, 0, NONE, FIXTURE_NONE, 0, 0, 0 },
	{ "migrate: no op=migrate rule: not judged", FIXTURE_REMOTE_FORMS, MIG, NULL, 0, 0, NULL, NULL, 0,
	  NULL, NULL, NULL, 0, 0, NONE, FIXTURE_NONE, 0, 1, MDEVVER_MIG_RESUMING },

	/* an empty policy: loaded, nothing to match */
	{ "empty policy: nothing", "", CHECK, "abc", 0, 0, "abc", NULL, 0,
	  NULL, NULL, NULL, 0, 0, NONE, FIXTURE_NONE, 0, 0, 0 },
};

#undef V54
#undef V58
#undef CHECK
#undef READ
#undef MIG
#undef DENY
#undef AUDIT
#undef NONE

#endif
