/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * drain_sync.h - another thread (the metrics HTTP server, before a scrape)
 * asks the session loop for one full round (drain both rings, flush the
 * repeat slots, report losses) and waits until a round that began after the
 * request has completed, at most a timeout.  The request wakes the loop
 * through an eventfd in its epoll set.
 */
#ifndef MDEVVER_DRAIN_SYNC_H
#define MDEVVER_DRAIN_SYNC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct drain_sync {
	int efd;		/* readable while a request is pending */
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* CLOCK_MONOTONIC */
	uint64_t requested;	/* sequence of the latest request */
	uint64_t done;		/* every request <= done is satisfied */
	bool stopped;		/* the loop ended: requests return at once */
};

int drain_sync_init(struct drain_sync *s);
void drain_sync_destroy(struct drain_sync *s);

/* Any thread: ask for a round and wait for it (timeout_ms at most).
 * Returns 0 when it completed, -1 on timeout or when the loop ended. */
int drain_sync_request(struct drain_sync *s, int timeout_ms);

/* The loop, when a round begins: the requests this round satisfies. */
uint64_t drain_sync_begin(struct drain_sync *s);
/* The loop, when that round is complete. */
void drain_sync_end(struct drain_sync *s, uint64_t seq);
/* The loop ended: wake every waiter, answer later requests at once. */
void drain_sync_stop(struct drain_sync *s);

#endif
