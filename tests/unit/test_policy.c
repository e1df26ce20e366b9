/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* test_policy.c - the policy file parser: every key, quoting, and each
 * error message with its FILE:LINE:COL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mdevver_vfio.h"
#include "policy.h"
#include "unit.h"

static char err[512];

static int parse(const char *text, struct policy *p)
{
	err[0] = '\0';
	return policy_parse(text, strlen(text), "p.policy", p, err, sizeof(err));
}

static void test_all_keys(void)
{
	struct policy p;
	const struct policy_rule *r;

	ASSERT_EQ(0, parse("# comment\n\n"
			   "deny remote=\"00028086-193b-i915-GVTg_V5_4\\n\" local=abc* type=i915-GVTg_V5_8 "
			   "parent=0000:00:02.0 attr=version op=check comm!=libvirtd uid=0 cgroup!=1 name=r1\n"
			   "  audit op=read   # trailing comment\n", &p), "parses");
	ASSERT_EQ(2, p.n_rules, "two rules");
	r = &p.rules[0];
	ASSERT_EQ(POLICY_DENY, r->action, "deny");
	ASSERT_STREQ("r1", r->name, "name");
	ASSERT_EQ(3, r->line, "line number");
	ASSERT_EQ(28, r->keys[PK_REMOTE].len, "remote: newline ignored");
	ASSERT_MEMEQ("00028086-193b-i915-GVTg_V5_4", r->keys[PK_REMOTE].value, 28, "remote bytes");
	ASSERT_TRUE(!r->keys[PK_REMOTE].prefix, "remote exact");
	ASSERT_TRUE(r->keys[PK_LOCAL].prefix, "local prefix");
	ASSERT_STREQ("abc", (char *)r->keys[PK_LOCAL].value, "local value without star");
	ASSERT_EQ(MDEVVER_OP_CHECK, r->keys[PK_OP].num, "op");
	ASSERT_TRUE(r->keys[PK_COMM].negate, "comm negated");
	ASSERT_EQ(0, r->keys[PK_UID].num, "uid");
	ASSERT_TRUE(r->keys[PK_CGROUP].negate && r->keys[PK_CGROUP].num == 1, "cgroup!=1");
	r = &p.rules[1];
	ASSERT_EQ(POLICY_AUDIT, r->action, "audit");
	ASSERT_STREQ("line 4", r->name, "unnamed rule is named by its line");
	ASSERT_EQ(MDEVVER_OP_READ, r->keys[PK_OP].num, "op read");
	policy_free(&p);
}

static void test_escapes(void)
{
	struct policy p;

	ASSERT_EQ(0, parse("deny remote=\"a b\\x00\\xff\\\"\\\\\\x2a\"\n", &p), "parses");
	ASSERT_EQ(8, p.rules[0].keys[PK_REMOTE].len, "length with NUL");
	ASSERT_MEMEQ("a b\0\xff\"\\*", p.rules[0].keys[PK_REMOTE].value, 8, "bytes");
	ASSERT_TRUE(!p.rules[0].keys[PK_REMOTE].prefix, "escaped star is literal");
	policy_free(&p);
	ASSERT_EQ(0, parse("deny remote=\"8086-*\"\r\n", &p), "quoted prefix, CRLF");
	ASSERT_TRUE(p.rules[0].keys[PK_REMOTE].prefix, "quoted trailing star is a prefix");
	policy_free(&p);
}

#define EXPECT_ERROR(text, msg) do {						\
		struct policy p_;						\
		ASSERT_EQ(-1, parse(text, &p_), "rejected: " msg);		\
		ASSERT_STREQ(msg, err, "message");				\
		ASSERT_EQ(0, p_.n_rules, "nothing half-loaded");		\
	} while (0)

static void test_errors(void)
{
	EXPECT_ERROR("allow op=check\n", "p.policy:1:1: expected an action: deny or audit");
	EXPECT_ERROR("deny\n", "p.policy:1:1: a rule needs at least one match key (a bare 'deny' would match everything)");
	EXPECT_ERROR("deny op=check\ndeny colour=red\n",
		     "p.policy:2:6: unknown key 'colour' (keys: remote local type parent attr op comm uid cgroup state name)");
	EXPECT_ERROR("deny op=write\n", "p.policy:1:9: invalid op 'write': expected check, read or migrate");
	EXPECT_ERROR("deny type!=x\n", "p.policy:1:6: '!=' is only for process keys (comm, uid, cgroup)");
	EXPECT_ERROR("deny uid=root\n", "p.policy:1:10: invalid uid 'root': expected a number");
	EXPECT_ERROR("deny op=check op=read\n", "p.policy:1:15: op given twice in one rule");
	EXPECT_ERROR("deny remote=\"abc\n", "p.policy:1:13: unterminated string");
	EXPECT_ERROR("deny remote=\"a\\q\"\n",
		     "p.policy:1:15: unknown escape '\\q' (use \\n \\t \\r \\\\ \\\" or \\xNN)");
	EXPECT_ERROR("deny remote=\"a\\x4\"\n", "p.policy:1:15: \\x needs two hex digits");
	EXPECT_ERROR("deny remote=\"a\"op=check\n", "p.policy:1:16: expected a space after the closing quote");
	EXPECT_ERROR("deny remote=\n", "p.policy:1:13: missing value");
	EXPECT_ERROR("deny comm=averyveryverylongname\n",
		     "p.policy:1:11: comm longer than 15 bytes can never match");
	EXPECT_ERROR("deny op=check name=a\ndeny op=read name=a\n",
		     "p.policy:2:1: rule name 'a' already used on line 1");
	/* the fuzzer's find: an empty name made a rule no event could name */
	EXPECT_ERROR("deny op=check name=\"\"\n", "p.policy:1:20: rule name: 1 to 63 bytes, no NUL");
	/* a name that looks like the default one is still a name */
	EXPECT_ERROR("deny op=check name=\"line 1\" name=b\n", "p.policy:1:29: the rule has two names");
	EXPECT_ERROR("deny op\n", "p.policy:1:8: expected '=' or '!=' after op");
	EXPECT_ERROR("deny op=read remote=x\n",
		     "p.policy:1:1: remote is what a check writes: a rule with op=read and remote never matches");
	EXPECT_ERROR("deny cgroup=/nonexistent/cg\n",
		     "p.policy:1:13: cgroup '/nonexistent/cg': No such file or directory");
	EXPECT_ERROR("deny op=check\ndeny op=check\nbogus\n",
		     "p.policy:3:1: expected an action: deny or audit");
}

/* op=migrate: the target state and the keys a state change has */
static void test_migrate(void)
{
	struct policy p;
	const struct policy_rule *r;

	ASSERT_EQ(0, parse("deny op=migrate state=RESUMING type=mtty-2 comm!=qemu-system-x86 name=vmm-only\n"
			   "audit op=migrate parent=mtty uid=107\n"
			   "audit op=migrate state=PRE_COPY_P2P\n", &p), "parses");
	ASSERT_EQ(3, p.n_rules, "three rules");
	r = &p.rules[0];
	ASSERT_EQ(MDEVVER_OP_MIGRATE, r->keys[PK_OP].num, "op migrate");
	ASSERT_TRUE(r->keys[PK_STATE].set, "state set");
	ASSERT_EQ(MDEVVER_MIG_RESUMING, r->keys[PK_STATE].num, "state RESUMING");
	ASSERT_TRUE(r->keys[PK_COMM].negate, "comm negated");
	ASSERT_TRUE(!p.rules[1].keys[PK_STATE].set, "a migrate rule without state");
	ASSERT_EQ(MDEVVER_MIG_PRE_COPY_P2P, p.rules[2].keys[PK_STATE].num, "state PRE_COPY_P2P");
	policy_free(&p);
	EXPECT_ERROR("deny state=RESUMING\n",
		     "p.policy:1:1: state is the target of a migration state change: it needs op=migrate");
	EXPECT_ERROR("deny op=check state=STOP\n",
		     "p.policy:1:1: state is the target of a migration state change: it needs op=migrate");
	EXPECT_ERROR("deny op=migrate state=resuming\n",
		     "p.policy:1:23: invalid state 'resuming': expected ERROR, STOP, RUNNING, STOP_COPY, "
		     "RESUMING, RUNNING_P2P, PRE_COPY or PRE_COPY_P2P");
	EXPECT_ERROR("deny op=migrate state!=STOP\n",
		     "p.policy:1:17: '!=' is only for process keys (comm, uid, cgroup)");
	EXPECT_ERROR("deny op=migrate remote=x\n",
		     "p.policy:1:1: remote is a fact of a version attribute: a rule with op=migrate and remote never matches");
	EXPECT_ERROR("deny op=migrate local=x\n",
		     "p.policy:1:1: local is a fact of a version attribute: a rule with op=migrate and local never matches");
	EXPECT_ERROR("deny op=migrate attr=version\n",
		     "p.policy:1:1: attr is a fact of a version attribute: a rule with op=migrate and attr never matches");
}

static void test_shipped_examples(void)
{
	const char *files[] = { "examples/policies/known-bad-firmware.policy",
				"examples/policies/only-libvirtd-checks.policy" };

	for (size_t i = 0; i < 2; i++) {
		struct policy p;
		int rc = policy_load(files[i], &p, err, sizeof(err));

		ASSERT_EQ(0, rc, files[i]);
		ASSERT_TRUE(p.n_rules == 2, "each example has two rules");
		policy_free(&p);
	}
}

static void test_ten_thousand_rules(void)
{
	size_t cap = 10000 * 64, n = 0;
	char *text = malloc(cap);
	struct policy p;
	struct timespec a, b;

	ASSERT_TRUE(text != NULL, "memory");
	for (int i = 0; i < 10000; i++)
		n += snprintf(text + n, cap - n, "deny remote=00028086-%04x-i915-GVTg_V5_4\n", i);
	clock_gettime(CLOCK_MONOTONIC, &a);
	ASSERT_EQ(0, policy_parse(text, n, "big", &p, err, sizeof(err)), "10,000 rules parse");
	clock_gettime(CLOCK_MONOTONIC, &b);
	ASSERT_EQ(10000, p.n_rules, "all rules");
	ASSERT_STREQ("line 10000", p.rules[9999].name, "last rule's name");
	printf("  (10,000 rules parsed in %.1f ms)\n",
	       (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
	policy_free(&p);
	free(text);
}

/* 100,000 named rules: refused at rule 16,385, fast (no quadratic name
 * check, the limit checked while parsing). */
static void test_rule_limit(void)
{
	size_t cap = 100000 * 64, n = 0;
	char *text = malloc(cap);
	struct policy p;
	struct timespec a, b;

	ASSERT_TRUE(text != NULL, "memory");
	for (int i = 0; i < 100000; i++)
		n += snprintf(text + n, cap - n, "deny op=check name=rule-%d\n", i);
	clock_gettime(CLOCK_MONOTONIC, &a);
	ASSERT_EQ(-1, policy_parse(text, n, "big", &p, err, sizeof(err)), "100,000 rules refused");
	clock_gettime(CLOCK_MONOTONIC, &b);
	ASSERT_STREQ("big:16385:1: more than 16384 rules: at most 16384 are supported", err,
		     "at the first rule past the limit");
	ASSERT_EQ(0, p.n_rules, "nothing half-loaded");
	printf("  (100,000 rules refused in %.1f ms)\n",
	       (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
	/* the limit itself is fine, and the names stay unique at that scale */
	n = 0;
	for (int i = 0; i < 16384; i++)
		n += snprintf(text + n, cap - n, "deny op=check name=rule-%d\n", i);
	ASSERT_EQ(0, policy_parse(text, n, "big", &p, err, sizeof(err)), "16,384 rules parse");
	policy_free(&p);
	n += snprintf(text + n, cap - n, "deny op=read name=rule-777\n");
	ASSERT_EQ(-1, policy_parse(text, n, "big", &p, err, sizeof(err)), "duplicate refused");
	ASSERT_STREQ("big:16385:1: rule name 'rule-777' already used on line 778", err,
		     "the duplicate found in the table");
	free(text);
}

/* Bytes from the file reach messages C-escaped (they go to a terminal). */
static void test_error_escaped(void)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "deny op=\x1b[2J\n", "f:1:9: invalid op '\\x1b[2J': expected check, read or migrate" },
		{ "deny op=check name=\"a\\x07\"\ndeny op=read name=\"a\\x07\"\n",
		  "f:2:1: rule name 'a\\x07' already used on line 1" },
		{ "deny uid=1\x9b\xff\n", "f:1:10: invalid uid '1\\x9b\\xff': expected a number up to 4294967294" },
		{ "deny op=check\x1b\n", "f:1:9: invalid op 'check\\x1b': expected check, read or migrate" },
		/* the rule so far is freed (valgrind) */
		{ "deny type=a op=check\"x\n", "f:1:21: expected a space before the next key" },
	};
	struct policy p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(-1, policy_parse(cases[i].text, strlen(cases[i].text), "f", &p,
					   err, sizeof(err)), cases[i].text);
		ASSERT_STREQ(cases[i].msg, err, cases[i].text);
	}
}

int main(void)
{
	RUN_TEST(test_all_keys);
	RUN_TEST(test_migrate);
	RUN_TEST(test_escapes);
	RUN_TEST(test_errors);
	RUN_TEST(test_shipped_examples);
	RUN_TEST(test_ten_thousand_rules);
	RUN_TEST(test_rule_limit);
	RUN_TEST(test_error_escaped);
	return unit_exit();
}
