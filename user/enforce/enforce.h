/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * enforce.h - enforcement mode around the tracer: the safety checks before
 * anything loads, the policy in the maps (two generations, swapped without a
 * gap), SIGHUP reload, pinning under /sys/fs/bpf/mdevver and adopting it.
 */
#ifndef MDEVVER_ENFORCE_CMD_H
#define MDEVVER_ENFORCE_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "attach.h"
#include "policy.h"

#define MDEVVER_PIN_DIR "/sys/fs/bpf/mdevver"

struct enforce_options {
	const char *policy_path;	/* NULL: not enforcing */
	bool dry_run;
	bool pin;
};

struct enforcer {
	const struct enforce_options *opt;
	struct policy pol[2];		/* by generation: names for events */
	unsigned int active_gen;
	size_t n_rules;
	bool adopting;			/* pinned state found: reuse it */
	int pinned_map_fds[16];
	__u64 adopted_lost;		/* lost while no enforce process ran */
	struct mdevver_trace_bpf *skel;
	double next_scan;		/* monotonic seconds of the next allowed scan */
	const char *const *attr_names;	/* version, migration_version, -a NAME */
	size_t n_attr_names;
};

/*
 * Before anything is loaded: privileges, BPF LSM (unless dry run), the
 * policy file's owner and mode, its parse and compile, pinned state.
 * Prints one line and returns -1 on refusal.
 */
int enforce_preflight(struct enforcer *en, const struct enforce_options *opt,
		      struct tracer_config *cfg);
/* After attach: maps filled, state switched to this instance, pinned. */
int enforce_activate(struct enforcer *en, struct tracer *t, char *msg, size_t msgsz);
/* SIGHUP: returns 0 with the new policy in force, or -1 with why (the old
 * policy stays). */
int enforce_reload(struct enforcer *en, char *msg, size_t msgsz);
/* Learn the device's own strings now (start, reload, a fail-closed local). */
void enforce_scan_nodes(struct enforcer *en, bool force);
/* What this process has reported lost so far: a later adopter reports only
 * the rest. */
void enforce_note_reported_loss(struct enforcer *en, __u64 reported);
const char *enforce_rule_name(void *en, unsigned int gen, unsigned int id);
/* On exit: pinned state stays (say so), otherwise nothing remains. */
void enforce_finish(struct enforcer *en, bool keep_pinned);

/* `mdevver-trace unpin` */
int cmd_unpin(int argc, char **argv);
/* For `probes`: what is pinned (nothing, or the objects and the policy). */
void enforce_print_pinned(FILE *out, bool json);

#endif
