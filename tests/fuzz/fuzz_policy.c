// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_policy.c - the enforcement policy parser (user/enforce/policy.c) and
 * its compiler to map entries (user/enforce/policy_compile.c) on any bytes.
 *
 * Invariants: a rejected file leaves no rule and names FILE:LINE:COL in a
 * message a terminal can show (no control bytes); a parsed rule has a name
 * and NUL-terminated values within the limits; a compiled policy has one
 * entry per rule and its index lists name only those rules.
 */
#include <string.h>

#include "fuzz.h"
#include "policy.h"
#include "policy_compile.h"

#define FNAME "fuzz.policy"

static void check_err(const char *err, const char *what)
{
	size_t n = strlen(err);

	FUZZ_CHECK(n > 0, "%s: empty error message", what);
	FUZZ_CHECK(!strncmp(err, FNAME ":", strlen(FNAME ":")),
		   "%s: message without the file name: %s", what, err);
	FUZZ_CHECK(fuzz_first_control(err, n, "") == n,
		   "%s: control byte in the message", what);
}

static void check_parsed(const struct policy *p)
{
	FUZZ_CHECK(p->n_rules <= p->cap || !p->rules, "n_rules %zu > cap %zu",
		   p->n_rules, p->cap);
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct policy_rule *r = &p->rules[i];
		size_t nl = strnlen(r->name, sizeof(r->name));

		FUZZ_CHECK(nl > 0 && nl < sizeof(r->name), "rule %zu: name length %zu", i, nl);
		FUZZ_CHECK(r->action == POLICY_DENY || r->action == POLICY_AUDIT,
			   "rule %zu: action %d", i, (int)r->action);
		FUZZ_CHECK(r->line >= 1, "rule %zu: line 0", i);
		for (int k = 0; k < PK_COUNT; k++) {
			const struct policy_match *m = &r->keys[k];

			if (!m->set || !m->value)
				continue;
			FUZZ_CHECK(m->len <= POLICY_VALUE_MAX, "rule %zu key %s: len %zu",
				   i, policy_key_name((enum policy_key)k), m->len);
			FUZZ_CHECK(m->value[m->len] == '\0', "rule %zu key %s: not NUL-terminated",
				   i, policy_key_name((enum policy_key)k));
		}
	}
}

static void check_compiled(const struct policy *p, const struct compiled_policy *c)
{
	FUZZ_CHECK(c->n_rules == p->n_rules, "%zu compiled rules for %zu", c->n_rules,
		   p->n_rules);
	for (size_t i = 0; i < c->n_index; i++) {
		const struct compiled_index *ci = &c->index[i];

		FUZZ_CHECK(ci->list.n >= 1 && ci->list.n <= MDEVVER_BUCKET_MAX,
			   "index %zu: %u ids", i, ci->list.n);
		for (uint32_t k = 0; k < ci->list.n; k++)
			FUZZ_CHECK(ci->list.id[k] < c->n_rules, "index %zu: rule id %u of %zu",
				   i, ci->list.id[k], c->n_rules);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy p;
	struct compiled_policy c;
	char err[512];

	err[0] = '\0';
	if (policy_parse((const char *)data, size, FNAME, &p, err, sizeof(err))) {
		check_err(err, "parse");
		FUZZ_CHECK(p.n_rules == 0 && !p.rules, "rejected file left %zu rules", p.n_rules);
		return 0;
	}
	check_parsed(&p);
	/* both generations: the compiler keys every entry by it */
	for (unsigned int gen = 0; gen < 2; gen++) {
		err[0] = '\0';
		if (policy_compile(&p, gen, FNAME, &c, err, sizeof(err)))
			check_err(err, "compile");
		else
			check_compiled(&p, &c);
		compiled_policy_free(&c);
	}
	policy_free(&p);
	return 0;
}
