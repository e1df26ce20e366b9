// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* migration.c - see migration.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "from_vfio.h"
#include "migration.h"
#include "outcome.h"

#define NAME_MAX_ 64
#define PATH_MAX_ 512
#define SESSIONS_MAX 1024	/* open sessions tracked; more are not joined */
#define DONE_MAX 64		/* finished sources kept for pairing */
#define TYPES_MAX 256		/* mdev types whose checks are counted */

struct text {
	char s[NAME_MAX_];
	size_t n;
};

struct session {
	bool used;
	uint64_t id;
	struct text device, parent, type, comm, vm, unit;
	uint32_t pid, tid, uid;
	uint64_t cgroup_id;
	char path[PATH_MAX_];
	uint64_t changes;
	const char *role;
	bool failed, completed, stopped;
	int64_t fail_ret;
	unsigned int state;
	uint64_t started_ns, stop_since, stopped_ns;
	int64_t started_wall_ns;
	bool has_bytes;
	uint64_t bytes;
	uint64_t peer;
	struct text peer_device;
	uint64_t checks_c, checks_i, checks_o;
	const char *last_check;
};

struct done_source {
	uint64_t id, bytes;
	struct text device;
	bool paired;
};

struct type_checks {
	struct text type;
	uint64_t c, i, o;
	const char *last;
};

struct migration_joiner {
	struct session s[SESSIONS_MAX];
	struct done_source done[DONE_MAX];
	unsigned int done_next;
	struct type_checks types[TYPES_MAX];
	unsigned int n_types;
	struct session out;	/* the session a returned record describes */
	size_t flush_at;
};

struct migration_joiner *migration_joiner_new(void)
{
	return calloc(1, sizeof(struct migration_joiner));
}

void migration_joiner_free(struct migration_joiner *mj)
{
	free(mj);
}

static void text_set(struct text *t, struct bytes b)
{
	t->n = b.p ? (b.len < sizeof(t->s) ? b.len : sizeof(t->s)) : 0;
	if (t->n)
		memcpy(t->s, b.p, t->n);
}

static struct bytes text_bytes(const struct text *t)
{
	return (struct bytes){ t->n ? t->s : NULL, t->n };
}

static bool text_eq(const struct text *t, struct bytes b)
{
	return b.p && t->n == b.len && !memcmp(t->s, b.p, b.len);
}

static struct type_checks *type_slot(struct migration_joiner *mj, struct bytes type,
				     bool add)
{
	for (unsigned int i = 0; i < mj->n_types; i++)
		if (text_eq(&mj->types[i].type, type))
			return &mj->types[i];
	if (!add || !type.p || mj->n_types == TYPES_MAX || type.len > NAME_MAX_)
		return NULL;
	text_set(&mj->types[mj->n_types].type, type);
	return &mj->types[mj->n_types++];
}

void migration_note_check(struct migration_joiner *mj, const struct record *r)
{
	struct type_checks *tc;
	const char *o;

	if (r->kind != RECORD_CHECK || !r->ev.outcome)
		return;
	tc = type_slot(mj, r->ev.node.mdev_type, true);
	if (!tc)
		return;
	o = r->ev.outcome;
	if (!strcmp(o, "compatible"))
		tc->c += r->ev.count;
	else if (!strcmp(o, "incompatible"))
		tc->i += r->ev.count;
	else
		tc->o += r->ev.count;
	tc->last = o;	/* outcome names are static strings */
}

static struct session *find(struct migration_joiner *mj, uint64_t id, bool add)
{
	struct session *free_slot = NULL;

	if (!id)
		return NULL;
	for (size_t i = 0; i < SESSIONS_MAX; i++) {
		if (mj->s[i].used && mj->s[i].id == id)
			return &mj->s[i];
		if (!mj->s[i].used && !free_slot)
			free_slot = &mj->s[i];
	}
	if (!add || !free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	free_slot->id = id;
	free_slot->state = MDEVVER_MIG_RUNNING;
	free_slot->role = "none";
	return free_slot;
}

static void take_facts(struct session *s, const struct record_lifecycle *l)
{
	if (l->device.p)
		text_set(&s->device, l->device);
	if (l->parent.p)
		text_set(&s->parent, l->parent);
	if (l->mdev_type.p)
		text_set(&s->type, l->mdev_type);
}

static void path_add(struct session *s, const char *piece)
{
	size_t n = strlen(s->path);

	snprintf(s->path + n, sizeof(s->path) - n, "%s%s", n ? ">" : "", piece);
}

static bool running(unsigned int st)
{
	return st == MDEVVER_MIG_RUNNING || st == MDEVVER_MIG_PRE_COPY;
}

static void pair(struct migration_joiner *mj, struct session *target)
{
	for (size_t i = 0; i < SESSIONS_MAX; i++) {
		struct session *src = &mj->s[i];

		if (src->used && src != target && src->role && !strcmp(src->role, "source") &&
		    src->has_bytes && src->bytes == target->bytes && !src->peer) {
			src->peer = target->id;
			src->peer_device = target->device;
			target->peer = src->id;
			target->peer_device = src->device;
			return;
		}
	}
	for (unsigned int i = 0; i < DONE_MAX; i++) {
		struct done_source *d = &mj->done[i];

		if (d->id && !d->paired && d->bytes == target->bytes) {
			d->paired = true;
			target->peer = d->id;
			target->peer_device = d->device;
			return;
		}
	}
}

static void on_state(struct migration_joiner *mj, struct session *s,
		     const struct record *r)
{
	const struct record_lifecycle *l = &r->life;
	unsigned int to = MDEVVER_MIG_STATES;

	for (unsigned int i = 0; i < MDEVVER_MIG_STATES; i++)
		if (l->to && !strcmp(l->to, mig_state_name(i)))
			to = i;
	if (!s->changes) {
		struct type_checks *tc = type_slot(mj, text_bytes(&s->type), false);

		s->started_ns = r->ts_ns;
		s->started_wall_ns = r->wall_ns;
		s->pid = l->who.pid;
		s->tid = l->who.tid;
		s->uid = l->who.uid;
		s->cgroup_id = l->who.cgroup_id;
		text_set(&s->comm, l->who.comm);
		text_set(&s->vm, l->who.vm);
		text_set(&s->unit, l->who.unit);
		if (tc) {
			s->checks_c = tc->c;
			s->checks_i = tc->i;
			s->checks_o = tc->o;
			s->last_check = tc->last;
		}
		path_add(s, l->from ? l->from : "?");
	}
	s->changes++;
	if (l->has_bytes) {
		s->has_bytes = true;
		s->bytes = l->bytes;
	}
	if (l->ret < 0) {
		char piece[64];

		snprintf(piece, sizeof(piece), "%s(%s)", l->to ? l->to : "?",
			 l->errno_name ? l->errno_name : "error");
		path_add(s, piece);
		if (!s->failed) {
			s->failed = true;
			s->fail_ret = l->ret;
		}
		return;
	}
	path_add(s, l->to ? l->to : "?");
	/* the data phase ended well: out of STOP_COPY (source) or RESUMING
	 * (target) into anything but ERROR */
	if (to != MDEVVER_MIG_ERROR && !s->failed &&
	    ((s->state == MDEVVER_MIG_STOP_COPY && strcmp(s->role, "source") == 0) ||
	     (s->state == MDEVVER_MIG_RESUMING && strcmp(s->role, "target") == 0))) {
		s->completed = true;
		if (!strcmp(s->role, "target") && s->has_bytes)
			pair(mj, s);
	}
	if (to == MDEVVER_MIG_STOP_COPY || to == MDEVVER_MIG_PRE_COPY ||
	    to == MDEVVER_MIG_PRE_COPY_P2P)
		s->role = "source";
	else if (to == MDEVVER_MIG_RESUMING)
		s->role = "target";
	if (to < MDEVVER_MIG_STATES) {
		if (running(s->state) && !running(to) && !s->stopped) {
			s->stopped = true;
			s->stop_since = r->ts_ns;
		} else if (!running(s->state) && running(to) && s->stopped) {
			s->stopped = false;
			s->stopped_ns += r->ts_ns - s->stop_since;
		}
		s->state = to;
	}
}

static void make_record(struct migration_joiner *mj, const struct session *s,
			const char *outcome, uint64_t end_ns, struct record *out,
			const struct record *at)
{
	struct record_migration *m = &out->mig;

	mj->out = *s;
	s = &mj->out;
	memset(out, 0, sizeof(*out));
	out->kind = RECORD_MIGRATION;
	out->ts_ns = at->ts_ns;
	out->wall_ns = at->wall_ns;
	out->host = at->host;
	m->who.pid = s->pid;
	m->who.tid = s->tid;
	m->who.uid = s->uid;
	m->who.cgroup_id = s->cgroup_id;
	m->who.comm = text_bytes(&s->comm);
	m->who.vm = text_bytes(&s->vm);
	m->who.unit = text_bytes(&s->unit);
	m->device = text_bytes(&s->device);
	m->parent = text_bytes(&s->parent);
	m->mdev_type = text_bytes(&s->type);
	m->session = s->id;
	m->role = s->role;
	m->path = s->path;
	m->outcome = outcome;
	m->ret = s->failed ? s->fail_ret : 0;
	m->errno_name = s->failed ? outcome_errno_name(s->fail_ret) : NULL;
	m->changes = s->changes;
	m->stopped_ns = s->stopped_ns + (s->stopped && end_ns > s->stop_since ?
					 end_ns - s->stop_since : 0);
	m->has_bytes = s->has_bytes;
	m->bytes = s->bytes;
	m->started_ns = s->started_ns;
	m->started_wall_ns = s->started_wall_ns;
	m->peer_session = s->peer;
	m->peer_device = text_bytes(&s->peer_device);
	m->checks_compatible = s->checks_c;
	m->checks_incompatible = s->checks_i;
	m->checks_other = s->checks_o;
	m->last_check = s->last_check;
}

static const char *outcome_of(const struct session *s)
{
	if (s->failed)
		return "failed";
	if (s->completed)
		return "completed";
	if (strcmp(s->role, "none"))
		return "abandoned";
	return "completed";	/* changes without a data phase, all fine */
}

bool migration_feed(struct migration_joiner *mj, const struct record *r,
		    struct record *out)
{
	const struct record_lifecycle *l = &r->life;
	struct session *s;

	if (r->kind != RECORD_LIFECYCLE || !l->what)
		return false;
	if (!strcmp(l->what, "open")) {
		s = find(mj, l->session, true);
		if (s)
			take_facts(s, l);
		return false;
	}
	if (!strcmp(l->what, "state")) {
		s = find(mj, l->session, true);
		if (!s)
			return false;
		take_facts(s, l);
		on_state(mj, s, r);
		return false;
	}
	if (!strcmp(l->what, "close")) {
		bool emit;

		s = find(mj, l->session, false);
		if (!s)
			return false;
		take_facts(s, l);
		if (l->has_bytes) {
			s->has_bytes = true;
			s->bytes = l->bytes;
		}
		emit = s->changes > 0;
		if (emit)
			make_record(mj, s, outcome_of(s), r->ts_ns, out, r);
		if (!strcmp(s->role, "source") && s->has_bytes && !s->peer) {
			struct done_source *d = &mj->done[mj->done_next++ % DONE_MAX];

			d->id = s->id;
			d->bytes = s->bytes;
			d->device = s->device;
			d->paired = false;
		}
		s->used = false;
		return emit;
	}
	return false;
}

bool migration_flush(struct migration_joiner *mj, struct record *out)
{
	while (mj->flush_at < SESSIONS_MAX) {
		struct session *s = &mj->s[mj->flush_at++];
		struct record at;

		if (!s->used || !s->changes)
			continue;
		memset(&at, 0, sizeof(at));
		at.ts_ns = record_now_ns();
		at.wall_ns = (int64_t)at.ts_ns + record_realtime_offset_ns();
		make_record(mj, s, "in-progress", at.ts_ns, out, &at);
		s->used = false;
		return true;
	}
	return false;
}
