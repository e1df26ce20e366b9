/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * attach_early.h - attaching the fentry/fexit programs libbpf has already
 * loaded while it still verifies the others (attach_early.c says why).
 *
 * Use, in one attach attempt:
 *   attach_early_init()      with what must be in place before any program
 *                            can run (the watched names)
 *   attach_early_add()       each program the attempt will attach
 *   attach_early_arm()       before bpf_object__load()
 *   attach_early_finish()    after it (whether it failed or not)
 *   attach_early_take()      each program's link, if it was made early
 *   attach_early_release()   on every path: destroys the links not taken
 */
#ifndef MDEVVER_ATTACH_EARLY_H
#define MDEVVER_ATTACH_EARLY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define ATTACH_EARLY_MAX 48

struct bpf_program;
struct bpf_link;

struct attach_early_item {
	struct bpf_program *prog;
	const char *target;	/* the traced function */
	bool exit;		/* fexit: attached before its function's fentry */
	bool queued;
	struct bpf_link *link;	/* made by the worker; NULL: not (yet) */
};

struct attach_early {
	struct attach_early_item items[ATTACH_EARLY_MAX];
	size_t n;
	size_t order[ATTACH_EARLY_MAX];	/* items in the order queued */
	size_t queued, done;		/* of order[]; done: by the worker */
	bool closing, running, armed;
	pthread_t worker;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* before the first program is attached (maps exist by then) */
	int (*ready)(void *ctx);
	void *ctx;
	int ready_err;			/* ready()'s answer, once asked */
	bool ready_asked;
};

void attach_early_init(struct attach_early *ae, int (*ready)(void *ctx), void *ctx);
/* kind: the prog_spec's kind ("fentry"/"fexit"); others are ignored */
void attach_early_add(struct attach_early *ae, struct bpf_program *prog,
		      const char *kind, const char *target);
void attach_early_arm(struct attach_early *ae);
void attach_early_finish(struct attach_early *ae);
/* ready() ran and succeeded (its work need not be done again) */
bool attach_early_was_ready(const struct attach_early *ae);
struct bpf_link *attach_early_take(struct attach_early *ae,
				   const struct bpf_program *prog);
void attach_early_release(struct attach_early *ae);

#endif /* MDEVVER_ATTACH_EARLY_H */
