// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* drain_sync.c - see drain_sync.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "drain_sync.h"

int drain_sync_init(struct drain_sync *s)
{
	pthread_condattr_t ca;

	s->requested = s->done = 0;
	s->stopped = false;
	s->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->efd < 0)
		return -1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	return 0;
}

void drain_sync_destroy(struct drain_sync *s)
{
	if (s->efd < 0)
		return;
	close(s->efd);
	s->efd = -1;
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
}

int drain_sync_request(struct drain_sync *s, int timeout_ms)
{
	struct timespec deadline;
	uint64_t one = 1, mine;
	int ret = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&s->mu);
	if (s->stopped) {
		pthread_mutex_unlock(&s->mu);
		return -1;
	}
	mine = ++s->requested;
	pthread_mutex_unlock(&s->mu);
	/* full counter (EAGAIN): the loop is woken already */
	if (write(s->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -1;
	pthread_mutex_lock(&s->mu);
	while (s->done < mine && !s->stopped && !ret)
		if (pthread_cond_timedwait(&s->cv, &s->mu, &deadline) == ETIMEDOUT)
			ret = -1;
	if (s->done >= mine)
		ret = 0;
	else
		ret = -1;
	pthread_mutex_unlock(&s->mu);
	return ret;
}

uint64_t drain_sync_begin(struct drain_sync *s)
{
	uint64_t v, seq;

	/* clear the wake-up first: a request after this read wakes us again */
	if (read(s->efd, &v, sizeof(v)) < 0) {
		/* nothing pending (EAGAIN) */
	}
	pthread_mutex_lock(&s->mu);
	seq = s->requested;
	pthread_mutex_unlock(&s->mu);
	return seq;
}

void drain_sync_end(struct drain_sync *s, uint64_t seq)
{
	pthread_mutex_lock(&s->mu);
	if (seq > s->done) {
		s->done = seq;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
}

void drain_sync_stop(struct drain_sync *s)
{
	pthread_mutex_lock(&s->mu);
	s->stopped = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}
