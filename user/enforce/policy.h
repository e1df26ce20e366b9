/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * policy.h - the enforcement policy file (docs/policy.md): parsed and
 * validated as a whole; any invalid line rejects the file with
 * "FILE:LINE:COL: what is wrong", so nothing is ever half-loaded.
 */
#ifndef MDEVVER_POLICY_H
#define MDEVVER_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mdevver_trace.h"

#define POLICY_NAME_MAX 64
#define POLICY_VALUE_MAX MDEVVER_DATA_MAX

enum policy_action {
	POLICY_DENY,	/* refuse the write (EPERM), report outcome "denied" */
	POLICY_AUDIT,	/* allow it, mark the event with the rule */
};

enum policy_key {
	PK_REMOTE,	/* the written bytes (trailing newline ignored) */
	PK_LOCAL,	/* the device's own version string */
	PK_TYPE,	/* mdev type */
	PK_PARENT,	/* parent device */
	PK_ATTR,	/* attribute name */
	PK_OP,		/* check, read or migrate */
	PK_COMM,	/* process name        (may be negated) */
	PK_UID,		/* user id             (may be negated) */
	PK_CGROUP,	/* cgroup v2 id/path   (may be negated) */
	PK_STATE,	/* op=migrate: the target state (RESUMING, ...) */
	PK_COUNT,
};

struct policy_match {
	bool set;
	bool negate;		/* key!=value */
	bool prefix;		/* value ended with '*' (remote, local) */
	size_t len;
	unsigned char *value;	/* strings (malloc'ed, NUL-terminated too) */
	uint64_t num;		/* uid, cgroup id, op (enum mdevver_op),
				 * state (enum mdevver_mig_state) */
};

struct policy_rule {
	enum policy_action action;
	unsigned int line;
	char name[POLICY_NAME_MAX];	/* name=..., or "line N" */
	struct policy_match keys[PK_COUNT];
};

struct policy {
	struct policy_rule *rules;
	size_t n_rules;
	size_t cap;
};

/*
 * Parse text[0..len) read from fname (used in messages).  Returns 0, or -1
 * with err = "FILE:LINE:COL: what is wrong" and *out left empty.
 */
int policy_parse(const char *text, size_t len, const char *fname,
		 struct policy *out, char *err, size_t errsz);
/* Read and parse a file (no ownership checks: see enforce). */
int policy_load(const char *path, struct policy *out, char *err, size_t errsz);
void policy_free(struct policy *p);
const char *policy_key_name(enum policy_key k);

#endif
