/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* outcome.c - what a read or a check's return value means. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* strerrorname_np (glibc >= 2.32) */
#endif
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "mdevver_enforce.h"
#include "mdevver_trace.h"
#include "outcome.h"

enum mdevver_outcome outcome_classify(int op, int64_t ret, uint64_t count)
{
	if (op == MDEVVER_OP_CHECK) {
		/* compare as unsigned only once ret is known not negative */
		if (ret >= 0)
			return (uint64_t)ret == count ? OUTCOME_COMPATIBLE :
							OUTCOME_PARTIAL;
		return ret == -ENODEV ? OUTCOME_UNSUPPORTED :
					OUTCOME_INCOMPATIBLE;
	}
	/* a read; an unknown op gets the read rules (no check was made) */
	return ret >= 0 ? OUTCOME_OK : OUTCOME_UNSUPPORTED;
}

const char *outcome_name(enum mdevver_outcome o)
{
	switch (o) {
	case OUTCOME_COMPATIBLE:	return "compatible";
	case OUTCOME_INCOMPATIBLE:	return "incompatible";
	case OUTCOME_UNSUPPORTED:	return "unsupported";
	case OUTCOME_PARTIAL:		return "partial";
	case OUTCOME_OK:		return "ok";
	}
	return "unknown";
}

int outcome_is_success(enum mdevver_outcome o)
{
	return o == OUTCOME_COMPATIBLE || o == OUTCOME_OK;
}

/* Fallback names rotate through a few buffers, so a caller may keep a
 * handful of results at once (e.g. a store's and its vendor check's). */
#define ERRNAME_BUFS	4

const char *outcome_errno_name(int64_t ret)
{
	static _Thread_local char buf[ERRNAME_BUFS][24];
	static _Thread_local unsigned int next;
	/* -ret computed unsigned: no overflow for INT64_MIN */
	uint64_t e = (uint64_t)0 - (uint64_t)ret;
	char *b;

	if (ret >= 0)
		return NULL;
	if (e <= INT_MAX) {
		const char *name = strerrorname_np((int)e);

		if (name)
			return name;
	}
	b = buf[next];
	next = (next + 1) % ERRNAME_BUFS;
	snprintf(b, sizeof(buf[0]), "E%" PRIu64, e);
	return b;
}

const char *verdict_name(int verdict)
{
	switch (verdict) {
	case MDEVVER_VERDICT_DENIED:
		return "denied";
	case MDEVVER_VERDICT_WOULD_DENY:
		return "would-deny";
	case MDEVVER_VERDICT_AUDIT:
		return "audit";
	case MDEVVER_VERDICT_KILLED:
		return "killed";
	default:
		return NULL;
	}
}

const char *outcome_judged_name(int op, int64_t ret, uint64_t count, int verdict)
{
	switch (verdict) {
	case MDEVVER_VERDICT_DENIED:
	case MDEVVER_VERDICT_KILLED:
		return "denied";
	case MDEVVER_VERDICT_WOULD_DENY:
		return "would-deny";
	default:
		return outcome_name(outcome_classify(op, ret, count));
	}
}

/* In bit order of enum mdevver_fail_closed (docs/event-schema.md, fail_closed) */
static const char *const fail_closed_names[FAIL_CLOSED_BITS] = {
	"remote-no-user-buffer",	/* MDEVVER_UNK_REMOTE_NOBUF */
	"remote-page-not-present",	/* MDEVVER_UNK_REMOTE_FAULT */
	"local-not-learned",		/* MDEVVER_UNK_LOCAL */
	"type-unknown",			/* MDEVVER_UNK_TYPE */
	"remote-longer-than-a-page",	/* MDEVVER_UNK_REMOTE_LONG */
	"no-judgement-slot",		/* MDEVVER_UNK_PREEMPTED */
	"ioctl-arg-not-present",	/* MDEVVER_UNK_IOCTL_ARG */
};

const char *fail_closed_name(unsigned int bit)
{
	return bit < FAIL_CLOSED_BITS ? fail_closed_names[bit] : NULL;
}
