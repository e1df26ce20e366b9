// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * from_event.c - a kernel event to a struct record (record_from_event in
 * record.h).  The one place that reads struct mdevver_event: it checks the
 * ring's lengths first, then names everything (mode, outcome, errno,
 * verdict, rule) so no sink has to know the kernel's encoding.
 */
#include <stdio.h>
#include <string.h>

#include "mdevver_enforce.h"
#include "node_cache.h"
#include "outcome.h"
#include "record.h"

/*
 * The ring hands over len bytes; BPF may reserve less than a whole struct
 * (include/mdevver_trace.h), so every variable part is checked against len
 * before it is read: the header and path always, data[] up to data_len,
 * the device's string only when the record reaches past its end (at
 * local[], or packed after the data).
 */
static int valid(const struct mdevver_event *e, size_t len)
{
	if (len < MDEVVER_EVENT_MIN_LEN || e->kind != MDEVVER_REC_EVENT)
		return 0;
	if (e->data_len > MDEVVER_DATA_MAX ||
	    __builtin_offsetof(struct mdevver_event, data) + (size_t)e->data_len > len)
		return 0;
	return 1;
}

/* Where the device's own string is in this record (NULL: not in it):
 * local[], or right after data_len bytes of data[] in a packed record. */
static const char *local_of(const struct mdevver_event *e, size_t len)
{
	size_t at;

	if (!(e->flags & MDEVVER_F_LOCAL) || e->local_len > MDEVVER_LOCAL_MAX)
		return NULL;
	at = e->flags & MDEVVER_F_LOCAL_PACKED
		     ? MDEVVER_EVENT_MIN_LEN + (size_t)e->data_len
		     : __builtin_offsetof(struct mdevver_event, local);
	return at + (size_t)e->local_len <= len ? (const char *)e + at : NULL;
}

int record_from_event(struct record *r, const struct mdevver_event *e,
		      size_t len, uint64_t count, const struct record_ctx *ctx)
{
	struct record_event *ev = &r->ev;
	const struct record_node *node;
	const char *verdict, *local;

	if (!valid(e, len) || !ctx || !ctx->nodes)
		return -1;
	memset(r, 0, sizeof(*r));
	r->kind = e->op == MDEVVER_OP_CHECK ? RECORD_CHECK : RECORD_READ;
	record_set_time(r, ctx, e->ts_ns);
	r->host = ctx->host;
	ev->count = count ? count : 1;
	ev->mode = mode_name(e->mode);
	ev->scope = record_scope_name(e->flags);
	ev->pid = e->pid;
	ev->tid = e->tid;
	ev->ppid = e->ppid;
	ev->uid = e->uid;
	ev->gid = e->gid;
	ev->comm.p = e->comm;
	ev->comm.len = strnlen(e->comm, MDEVVER_TASK_COMM_LEN);
	ev->cgroup_id = e->cgroup_id;
	node = node_cache_get(ctx->nodes, e);	/* clamps path_depth itself */
	ev->node = *node;
	ev->data.p = e->data;
	ev->data.len = e->data_len;
	ev->len = e->count;
	ev->truncated = !!(e->flags & MDEVVER_F_DATA_TRUNCATED);
	ev->unreadable = !!(e->flags & MDEVVER_F_DATA_UNREADABLE);
	ev->ret = e->ret;
	ev->errno_name = outcome_errno_name(e->ret);
	ev->outcome = outcome_judged_name(e->op, e->ret, e->count, e->verdict);
	verdict = verdict_name(e->verdict);
	if (verdict) {
		ev->verdict = verdict;
		ev->rule = record_rule_label(ctx, e->policy_gen, e->rule_id);
		/* the driver was asked unless the hook refused the call */
		if (e->verdict != MDEVVER_VERDICT_DENIED)
			ev->driver_outcome =
				outcome_name(outcome_classify(e->op, e->ret, e->count));
		ev->fail_closed = e->fail_closed;
	}
	ev->latency_ns = e->latency_ns;
	local = local_of(e, len);
	if (local) {
		ev->has_local = true;
		ev->local.p = local;
		ev->local.len = e->local_len;
	}
	ev->local_truncated = !!(e->flags & MDEVVER_F_LOCAL_TRUNCATED);
	if (e->flags & MDEVVER_F_VENDOR_CHECK) {
		ev->has_vendor_check = true;
		ev->vendor_check_ret = e->vendor_ret;
		ev->vendor_remote_len = e->vendor_remote_len;
	}
	return 0;
}
