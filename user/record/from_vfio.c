// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * from_vfio.c - a kernel lifecycle record (struct mdevver_vfio_event,
 * include/mdevver_vfio.h) to a RECORD_LIFECYCLE.  The one place that reads
 * that struct: it checks the length, bounds every string by its array and
 * names every number (state, feature, errno) so no sink decodes the uAPI.
 */
#include <stdio.h>
#include <string.h>

#include "from_vfio.h"
#include "mdevver_enforce.h"
#include "outcome.h"
#include "vm_name.h"

const char *mig_state_name(unsigned int s)
{
	static const char *const names[MDEVVER_MIG_STATES] = {
		[MDEVVER_MIG_ERROR] = "ERROR",
		[MDEVVER_MIG_STOP] = "STOP",
		[MDEVVER_MIG_RUNNING] = "RUNNING",
		[MDEVVER_MIG_STOP_COPY] = "STOP_COPY",
		[MDEVVER_MIG_RESUMING] = "RESUMING",
		[MDEVVER_MIG_RUNNING_P2P] = "RUNNING_P2P",
		[MDEVVER_MIG_PRE_COPY] = "PRE_COPY",
		[MDEVVER_MIG_PRE_COPY_P2P] = "PRE_COPY_P2P",
	};

	if (s < MDEVVER_MIG_STATES)
		return names[s];
	return s == MDEVVER_MIG_UNKNOWN ? "?" : "INVALID";
}

static const char *what_name(uint32_t what)
{
	switch (what) {
	case MDEVVER_VFIO_CREATE:
		return "create";
	case MDEVVER_VFIO_REMOVE:
		return "remove";
	case MDEVVER_VFIO_OPEN:
		return "open";
	case MDEVVER_VFIO_CLOSE:
		return "close";
	case MDEVVER_VFIO_FEATURE:
		return "query";
	case MDEVVER_VFIO_STATE:
		return "state";
	default:
		return NULL;
	}
}

static const char *feature_name(uint32_t feature)
{
	switch (feature & MDEVVER_FEATURE_MASK) {
	case MDEVVER_FEATURE_MIGRATION:
		return "migration";
	case MDEVVER_FEATURE_MIG_DEVICE_STATE:
		return "mig-device-state";
	case MDEVVER_FEATURE_MIG_DATA_SIZE:
		return "mig-data-size";
	default:
		return "other";
	}
}

static const char *access_name(uint32_t feature)
{
	if (feature & MDEVVER_FEATURE_PROBE)
		return "probe";
	if (feature & MDEVVER_FEATURE_SET)
		return "set";
	return "get";
}

/* "stop-copy,p2p,pre-copy" of VFIO_MIGRATION_* flags */
const char *mig_flags_text(uint64_t flags, char *buf, size_t sz)
{
	static const char *const names[] = { "stop-copy", "p2p", "pre-copy" };
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < 3; i++)
		if (flags & (1ull << i))
			o += (size_t)snprintf(buf + o, o < sz ? sz - o : 0, "%s%s",
					      o ? "," : "", names[i]);
	if (flags >> 3 && o < sz)
		snprintf(buf + o, sz - o, "%s0x%llx", o ? "," : "",
			 (unsigned long long)(flags & ~7ull));
	return buf;
}

static struct bytes field(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	return (struct bytes){ n ? s : NULL, n };
}

void record_actor_names(struct record_actor *who)
{
	const struct cgroup_names *cn = cgroup_names_of_task(who->pid, who->cgroup_id);

	who->vm = (struct bytes){ NULL, 0 };
	who->unit = (struct bytes){ NULL, 0 };
	if (!cn)
		return;
	if (cn->vm[0])
		who->vm = (struct bytes){ cn->vm, strlen(cn->vm) };
	if (cn->unit[0])
		who->unit = (struct bytes){ cn->unit, strlen(cn->unit) };
}

int record_from_vfio(struct record *r, const struct mdevver_vfio_event *e,
		     size_t len, const struct record_ctx *ctx)
{
	struct record_lifecycle *l = &r->life;
	/* valid until the next call, as record.h promises */
	static _Thread_local char value_text[64];

	if (len < sizeof(*e) || e->kind != MDEVVER_REC_VFIO || !what_name(e->what))
		return -1;
	memset(r, 0, sizeof(*r));
	r->kind = RECORD_LIFECYCLE;
	record_set_time(r, ctx, e->ts_ns);
	r->host = ctx->host;
	l->what = what_name(e->what);
	l->mode = mode_name(e->mode);
	l->who.pid = e->pid;
	l->who.tid = e->tid;
	l->who.uid = e->uid;
	l->who.comm = field(e->comm, sizeof(e->comm));
	l->who.cgroup_id = e->cgroup_id;
	record_actor_names(&l->who);
	l->device = field(e->device, sizeof(e->device));
	l->parent = field(e->parent, sizeof(e->parent));
	if (e->flags & MDEVVER_VF_MDEV)
		l->mdev_type = field(e->type, sizeof(e->type));
	l->session = e->session;
	l->ret = e->ret;
	l->errno_name = outcome_errno_name(e->ret);
	l->latency_ns = e->latency_ns;
	l->data_fd = -1;
	if (e->what == MDEVVER_VFIO_STATE) {
		l->from = mig_state_name(e->from_state);
		l->to = mig_state_name(e->to_state);
		l->from_driver = e->flags & MDEVVER_VF_FROM_DRIVER;
		if (e->flags & MDEVVER_VF_DATA_FD)
			l->data_fd = e->data_fd;
		l->unjudged = e->flags & MDEVVER_VF_UNJUDGED;
		if (e->flags & MDEVVER_VF_JUDGED) {
			l->judged = true;
			l->judged_to = mig_state_name(e->judged_state);
			l->target_changed = e->flags & MDEVVER_VF_TARGET_CHANGED;
			l->verdict = verdict_name(e->verdict);
			if (l->verdict) {
				l->rule = record_rule_label(ctx, e->policy_gen, e->rule_id);
				l->fail_closed = e->fail_closed;
			}
		}
	}
	if (e->what == MDEVVER_VFIO_STATE || e->what == MDEVVER_VFIO_CLOSE) {
		l->has_bytes = e->flags & MDEVVER_VF_BYTES;
		l->bytes = e->bytes;
		l->bytes_lost = e->flags & MDEVVER_VF_BYTES_LOST;
	}
	if (e->what == MDEVVER_VFIO_CLOSE)
		l->from = mig_state_name(e->from_state);
	if (e->what == MDEVVER_VFIO_FEATURE) {
		l->feature = feature_name(e->feature);
		l->access = access_name(e->feature);
		if (e->flags & MDEVVER_VF_VALUE) {
			l->has_value = true;
			l->value = e->value;
			if ((e->feature & MDEVVER_FEATURE_MASK) == MDEVVER_FEATURE_MIGRATION)
				l->value_text = mig_flags_text(e->value, value_text,
							       sizeof(value_text));
			else if ((e->feature & MDEVVER_FEATURE_MASK) ==
				 MDEVVER_FEATURE_MIG_DEVICE_STATE)
				l->value_text = mig_state_name((unsigned int)e->value);
		}
	}
	return 0;
}
