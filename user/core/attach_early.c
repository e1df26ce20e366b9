// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * attach_early.c - the fentry/fexit programs libbpf has already loaded are
 * attached by a worker thread while libbpf verifies the rest.
 *
 * Why: on 6.1 most of a tracer's start was spent asleep in the trampoline
 * attachments, not working.  Adding a program to a function's trampoline
 * that already has one (the fexit next to the fentry on sysfs_kf_write,
 * and on sysfs_kf_seq_show) goes through a temporary ftrace ops whose
 * removal waits for an RCU-tasks grace period, and the first direct call
 * on a host waits for one more; ~0.5 s asleep in all, against ~0.75 s of
 * CPU (docs/delivery.md, "Where the cost goes").  The verifier's work on
 * the later programs now runs during those sleeps.
 *
 * The hook (attach_btf_on_load) runs right before each fentry/fexit
 * program is loaded; every program of the attempt loaded by then is handed
 * to the worker.  Rules:
 * - before the first one, ready() puts in place what a running program
 *   reads (the watched names): maps exist before any program is loaded;
 * - a function's fexit is attached before its fentry, so that no call is
 *   entered that no exit will finish (an exit without its entry does
 *   nothing);
 * - after handing work over, the loading thread sleeps for a moment: an
 *   RCU-tasks grace period waits for every runnable task to switch
 *   voluntarily, and a thread that goes from one bpf(PROG_LOAD) to the
 *   next never would before the whole load is over.
 * libbpf's attach of a loaded program reads only that program's fd, type
 * and name, which the load of the others does not touch.
 *
 * A link made here is an ordinary bpf_link the caller takes over
 * (attach_early_take); a program whose early attach failed is attached
 * again by the caller, which reports the error as before.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "attach_btf.h"
#include "attach_early.h"

void attach_early_init(struct attach_early *ae, int (*ready)(void *ctx), void *ctx)
{
	memset(ae, 0, sizeof(*ae));
	pthread_mutex_init(&ae->lock, NULL);
	pthread_cond_init(&ae->cond, NULL);
	ae->ready = ready;
	ae->ctx = ctx;
}

void attach_early_add(struct attach_early *ae, struct bpf_program *prog,
		      const char *kind, const char *target)
{
	struct attach_early_item *it;

	if (ae->n == ATTACH_EARLY_MAX ||
	    (strcmp(kind, "fentry") && strcmp(kind, "fexit")))
		return;
	it = &ae->items[ae->n++];
	it->prog = prog;
	it->target = target;
	it->exit = !strcmp(kind, "fexit");
}

static void *worker_main(void *arg)
{
	struct attach_early *ae = arg;

	pthread_mutex_lock(&ae->lock);
	for (;;) {
		struct attach_early_item *it;
		struct bpf_link *link;

		if (ae->done == ae->queued) {
			if (ae->closing)
				break;
			pthread_cond_wait(&ae->cond, &ae->lock);
			continue;
		}
		it = &ae->items[ae->order[ae->done]];
		pthread_mutex_unlock(&ae->lock);
		link = bpf_program__attach_trace(it->prog);
		pthread_mutex_lock(&ae->lock);
		it->link = link;	/* NULL: the caller attaches it again */
		ae->done++;
	}
	pthread_mutex_unlock(&ae->lock);
	return NULL;
}

/* The worker, with every signal blocked (they are the main thread's). */
static int worker_start(struct attach_early *ae)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&ae->worker, NULL, worker_main, ae);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	ae->running = true;
	return 0;
}

static bool loaded(const struct attach_early_item *it)
{
	return bpf_program__fd(it->prog) >= 0;
}

/* May it go now: loaded, and (an fentry) its function's fexit gone first. */
static bool eligible(const struct attach_early *ae, const struct attach_early_item *it)
{
	if (it->queued || !loaded(it))
		return false;
	if (it->exit)
		return true;
	for (size_t i = 0; i < ae->n; i++) {
		const struct attach_early_item *o = &ae->items[i];

		if (o->exit && !o->queued && !strcmp(o->target, it->target))
			return false;
	}
	return true;
}

/* Queue what may go; true when the worker has work. */
static bool queue_loaded(struct attach_early *ae)
{
	bool busy;

	pthread_mutex_lock(&ae->lock);
	/* two passes: the exits first, then the entries they free */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < ae->n; i++) {
			struct attach_early_item *it = &ae->items[i];

			if (it->exit != (pass == 0) || !eligible(ae, it))
				continue;
			it->queued = true;
			ae->order[ae->queued++] = i;
		}
	}
	busy = ae->done < ae->queued;
	if (busy)
		pthread_cond_signal(&ae->cond);
	pthread_mutex_unlock(&ae->lock);
	return busy;
}

static void on_load(struct bpf_program *prog, void *ctx)
{
	struct attach_early *ae = ctx;
	struct timespec nap = { 0, 1 };

	(void)prog;
	if (!ae->ready_asked) {
		ae->ready_asked = true;
		ae->ready_err = ae->ready ? ae->ready(ae->ctx) : 0;
	}
	if (ae->ready_err)
		return;		/* then all is attached after the load */
	if (!ae->running && worker_start(ae)) {
		ae->ready_err = -EAGAIN;
		return;
	}
	if (queue_loaded(ae))
		nanosleep(&nap, NULL);	/* a voluntary switch: see above */
}

void attach_early_arm(struct attach_early *ae)
{
	if (!ae->n)
		return;
	ae->armed = true;
	attach_btf_on_load(on_load, ae);
}

void attach_early_finish(struct attach_early *ae)
{
	if (ae->armed) {
		attach_btf_on_load(NULL, NULL);
		ae->armed = false;
	}
	if (!ae->running)
		return;
	/* what the last load left: attached now, with the rest waited for */
	queue_loaded(ae);
	pthread_mutex_lock(&ae->lock);
	ae->closing = true;
	pthread_cond_signal(&ae->cond);
	pthread_mutex_unlock(&ae->lock);
	pthread_join(ae->worker, NULL);
	ae->running = false;
}

bool attach_early_was_ready(const struct attach_early *ae)
{
	return ae->ready_asked && !ae->ready_err;
}

struct bpf_link *attach_early_take(struct attach_early *ae,
				   const struct bpf_program *prog)
{
	for (size_t i = 0; i < ae->n; i++) {
		struct attach_early_item *it = &ae->items[i];
		struct bpf_link *link = it->link;

		if (it->prog != prog)
			continue;
		it->link = NULL;
		return link;
	}
	return NULL;
}

void attach_early_release(struct attach_early *ae)
{
	attach_early_finish(ae);
	for (size_t i = 0; i < ae->n; i++) {
		bpf_link__destroy(ae->items[i].link);
		ae->items[i].link = NULL;
	}
	ae->n = 0;
	pthread_cond_destroy(&ae->cond);
	pthread_mutex_destroy(&ae->lock);
}
