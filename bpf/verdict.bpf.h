/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * verdict.bpf.h - the one verdict path of enforcement, and its three users:
 *
 *   the permission hook    file_permission_verdict(): every read and write
 *                          of a watched mdev attribute, before the driver
 *                          (BPF LSM, enforce)
 *   the store's re-check   store_recheck(): the kernel's own copy of the
 *                          bytes, at sysfs_kf_write (enforce)
 *   the dry run            policy_for_event(): the bytes the call carried,
 *                          at the trace point (enforce --dry-run)
 *
 * Each states what differs - which generation flags it needs, where the
 * written bytes are, what it does with the answer - and policy_verdict()
 * does the rest: generation reference, scratch slot, the bytes, the
 * matcher (judge_call() in policy.bpf.h), release.  Inline, so each use
 * keeps only the branches it asks for (opts and the remote source are
 * constants at every call site); the matcher itself is one global function.
 */
#ifndef MDEVVER_VERDICT_BPF_H
#define MDEVVER_VERDICT_BPF_H

#include "delivery.bpf.h"

/* Where a check's written bytes are. */
enum remote_from {
	REMOTE_FROM_KERNEL,	/* src, len: the bytes in kernel memory */
	REMOTE_FROM_SYSCALL,	/* src: the struct file being written; the bytes
				 * found through the writer's system call */
	REMOTE_FROM_NOWHERE,	/* len: enum mdevver_fail_closed, why not known */
};

/* What one judgement decided, copied out of its scratch slot. */
struct policy_verdict {
	__u64 remote_hash;	/* the bytes judged, when remote_known */
	__u32 rule_id;
	__u16 fail_closed;	/* enum mdevver_fail_closed */
	__u8 action;		/* MDEVVER_ACT_*: NONE when no rule matched */
	__u8 gen;
	__u8 remote_judged;	/* a check under content rules: bytes looked at */
	__u8 remote_known;
	__u8 __pad[6];
};

/* policy_verdict() returns */
enum verdict_status {
	VERDICT_NO_GEN = -1,	/* no generation (never expected) */
	VERDICT_NOT_JUDGED = 0,	/* nothing to judge: no policy for op, not an
				 * mdev attribute, or already decided */
	VERDICT_JUDGED = 1,	/* *v holds the verdict */
	VERDICT_NO_SLOT = 2,	/* every scratch slot tried was busy */
};

/* policy_verdict() options */
#define VERDICT_SKIP_DECIDED	0x1	/* the permission hook judged these very
					 * bytes on this node: nothing to do */
#define VERDICT_EMIT_DENIED	0x2	/* report a deny, with the bytes judged */

/* The generation flags a judgement of op needs (dry run, permission hook). */
static __always_inline __u64 verdict_need(__u8 op)
{
	return MDEVVER_GEN_LOADED |
	       (op == MDEVVER_OP_READ ? MDEVVER_GEN_READ_RULES : 0) |
	       (op == MDEVVER_OP_MIGRATE ? MDEVVER_GEN_MIGRATE_RULES : 0);
}

static __always_inline void set_verdict(struct mdevver_event *e,
					const struct policy_verdict *v,
					bool dry_run)
{
	if (v->action == MDEVVER_ACT_NONE)
		return;
	if (v->action == MDEVVER_ACT_DENY)
		e->verdict = dry_run ? MDEVVER_VERDICT_WOULD_DENY
				     : MDEVVER_VERDICT_DENIED;
	else
		e->verdict = MDEVVER_VERDICT_AUDIT;
	e->rule_id = v->rule_id;
	e->policy_gen = v->gen;
	e->fail_closed = v->fail_closed;
}

/* An event of the permission hook: a call refused before the driver ran. */
static __always_inline struct mdevver_event *lsm_event(struct kernfs_node *kn,
						       __u8 op, __u32 scope)
{
	struct mdevver_event *e = reserve_event(class_of(op));

	if (!e)
		return NULL;
	e->kind = MDEVVER_REC_EVENT;
	e->ts_ns = bpf_ktime_get_ns();
	e->latency_ns = 0;
	e->node_id = BPF_CORE_READ(kn, id);
	e->run_slot = 0;
	e->run_gen = 0;
	e->__pad2 = 0;
	fill_task(e);
	e->ret = -EPERM;
	e->vendor_ret = 0;
	e->vendor_remote_len = 0;
	e->local_len = 0;
	e->op = op;
	e->mode = MDEVVER_MODE_LSM;
	e->flags = scope;
	e->__pad = 0;
	e->data_len = 0;
	e->count = 0;
	fill_path(e, kn);
	return e;
}

/* No scratch slot was free: refused without a judgement, and said so. */
static __always_inline void emit_refused_unjudged(struct kernfs_node *kn, __u8 op,
						  __u32 scope, __u8 gen)
{
	struct mdevver_event *e = lsm_event(kn, op, scope);

	if (!e)
		return;
	e->flags |= MDEVVER_F_DATA_UNREADABLE;
	e->verdict = MDEVVER_VERDICT_DENIED;
	e->rule_id = MDEVVER_RULE_NONE;
	e->policy_gen = gen;
	e->fail_closed = MDEVVER_UNK_PREEMPTED;
	ring_submit(class_of(op), e);
}

/* A denied call, reported by the permission hook with the bytes judged
 * (while the judgement still holds them). */
static __always_inline void emit_denied(struct judge *j, struct kernfs_node *kn,
					const struct policy_verdict *v)
{
	struct mdevver_event *e = lsm_event(kn, j->op, j->scope);
	__u64 n;

	if (!e)
		return;
	if (j->op == MDEVVER_OP_CHECK) {
		if (j->known & MDEVVER_RK_REMOTE) {
			n = j->raw_len;
			barrier_var(n);
			if (n > MDEVVER_DATA_MAX)
				n = MDEVVER_DATA_MAX;
			if (n && !bpf_probe_read_kernel(e->data, n, j->bytes))
				e->data_len = n;
			e->count = n;
		} else {
			e->flags |= MDEVVER_F_DATA_UNREADABLE;
		}
	}
	set_verdict(e, v, false);
	ring_submit(class_of(j->op), e);
}

/*
 * The one verdict path.  need: the generation flags without which there is
 * nothing to judge; the written bytes of a check from remote_from/src/len
 * (from a system call only when the generation has content rules: that
 * reads the writer's registers and memory on every check); opts:
 * VERDICT_*.  Returns enum verdict_status; v->gen is set from
 * VERDICT_NOT_JUDGED on.
 */
static __always_inline int policy_verdict(struct kernfs_node *kn, __u64 kn_id,
					  const struct node_place *place,
					  __u8 op, __u64 need, __u8 remote_from,
					  const void *src, __u64 len,
					  __u32 opts, struct policy_verdict *v)
{
	struct decision *d;
	__u64 flags;
	struct judge *j;
	int gen, ret = VERDICT_NOT_JUDGED;

	gen = policy_enter();
	if (gen < 0)
		return VERDICT_NO_GEN;
	v->gen = gen;
	flags = gen_flags(gen);
	if ((flags & need) != need)
		goto out;
	j = judge_claim();
	if (!j) {
		ret = VERDICT_NO_SLOT;
		goto out;
	}
	judge_gen(j, gen);
	if (place) {
		j->place = *place;
		j->place_given = 1;
	}
	v->remote_judged = op == MDEVVER_OP_CHECK && (flags & MDEVVER_GEN_CONTENT);
	/* the writer's buffer only for content rules (a system call's
	 * registers and user memory, on every check); bytes at hand always */
	if (remote_from == REMOTE_FROM_SYSCALL) {
		if (v->remote_judged)
			judge_remote_syscall(j, (struct file *)src);
	} else if (op == MDEVVER_OP_CHECK) {
		if (remote_from == REMOTE_FROM_KERNEL)
			judge_remote_kernel(j, src, len);
		else
			remote_unknown(j, len);
	}
	if (opts & VERDICT_SKIP_DECIDED) {
		/* the very bytes the permission hook judged on this node,
		 * under this generation: the same verdict, nothing to do */
		d = thread_decision();
		if (d && d->kn == kn && d->gen == gen && d->remote_known &&
		    (j->known & MDEVVER_RK_REMOTE) && d->remote_hash == j->remote_hash)
			goto release;
	}
	if (!judge_call(j->self, (__u64)kn, kn_id, op))
		goto release;
	v->action = j->best_action;
	v->rule_id = j->best_id;
	v->fail_closed = j->best_fail_closed;
	v->remote_known = !!(j->known & MDEVVER_RK_REMOTE);
	v->remote_hash = j->remote_hash;
	ret = VERDICT_JUDGED;
	if ((opts & VERDICT_EMIT_DENIED) && v->action == MDEVVER_ACT_DENY)
		emit_denied(j, kn, v);
release:
	judge_release(j);
out:
	policy_exit(gen);
	return ret;
}

/*
 * The verdict path of a migration state change (op=migrate): the VFIO
 * device file f asked to go to state.  Used by the ioctl permission hook
 * (migration.bpf.h, file_ioctl_verdict) and by the dry run at the tracing
 * hook.  Returns enum verdict_status.
 */
static __always_inline int migrate_verdict(struct file *f, __u32 state,
					   struct policy_verdict *v)
{
	const __u64 need = verdict_need(MDEVVER_OP_MIGRATE);
	int gen, ret = VERDICT_NOT_JUDGED;
	struct device *dev;
	struct judge *j;

	gen = policy_enter();
	if (gen < 0)
		return VERDICT_NO_GEN;
	v->gen = gen;
	v->action = MDEVVER_ACT_NONE;
	v->rule_id = 0;
	v->fail_closed = 0;
	if ((gen_flags(gen) & need) != need)
		goto out;
	j = judge_claim();
	if (!j) {
		ret = VERDICT_NO_SLOT;
		goto out;
	}
	judge_gen(j, gen);
	dev = vfio_file_device(f);
	if (judge_migrate(j->self, (__u64)dev, (__u64)vfio_mdev_type_name(dev), state)) {
		v->action = j->best_action;
		v->rule_id = j->best_id;
		v->fail_closed = j->best_fail_closed;
		ret = VERDICT_JUDGED;
	}
	judge_release(j);
out:
	policy_exit(gen);
	return ret;
}

/*
 * Dry run: judge at the trace point, with the bytes the call really carried
 * (enforcing, the permission hook judged already: delivery.bpf.h's
 * take_verdict() reports its decision).
 */
static __always_inline void policy_for_event(struct mdevver_event *e,
					     struct kernfs_node *kn, __u8 op)
{
	/* zeroed, though read only where policy_verdict() set it: clang
	 * reloads the verdict's spilled fields ahead of its "judged" test, and
	 * on the path that set nothing that stack slot can hold a spilled
	 * pointer, a partial read of which the verifier refuses ("invalid size
	 * of register fill": the syscall mode's exits, once the event was
	 * built in per-CPU scratch) */
	struct policy_verdict v = {};
	__u8 from = REMOTE_FROM_KERNEL;
	__u64 len = e->data_len;

	if (e->flags & MDEVVER_F_DATA_UNREADABLE) {
		from = REMOTE_FROM_NOWHERE;
		len = MDEVVER_UNK_REMOTE_FAULT;
	} else if (e->flags & MDEVVER_F_DATA_TRUNCATED) {
		from = REMOTE_FROM_NOWHERE;
		len = MDEVVER_UNK_REMOTE_LONG;
	}
	if (policy_verdict(kn, e->node_id, NULL, op, verdict_need(op), from,
			   e->data, len, 0, &v) == VERDICT_JUDGED)
		set_verdict(e, &v, true);
}

/* Did the permission hook refuse this call (and report it)?  A plain
 * tracer loads no hook: rodata says so, and the verifier drops the lookup
 * (its decisions map is made with one entry, user/core/map_sizes.c). */
static __always_inline bool denied_by_hook(struct kernfs_node *kn)
{
	struct decision *d;
	bool denied;

	if (!instance_id)
		return false;
	d = thread_decision();
	denied = d && d->kn == kn && d->verdict == MDEVVER_VERDICT_DENIED;

	if (denied)
		decision_done(d);	/* refused: nothing was promised */
	return denied;
}

/*
 * The permission hook judged the bytes in the writer's memory; the driver
 * gets the kernel's copy made afterwards.  A writer that changed its buffer
 * in between (another thread, a shared mapping) must not get an answer for
 * a denied string: if the copy is denied, the writer is killed before the
 * write returns to it.  Runs for every task, traced or not.
 */
static __always_inline void store_recheck(struct kernfs_open_file *of,
					  __u64 kn_id, __u32 scope,
					  const char *buf, __u64 count)
{
	struct policy_verdict v;	/* read only where policy_verdict() set it */
	struct inflight *s;

	/* scope: store_scope(), which the caller asked already */
	if (!(scope & MDEVVER_F_SCOPE_MDEV))
		return;
	if (enforce_mode() != MDEVVER_ENFORCE_ON)
		return;
	if (policy_verdict(BPF_CORE_READ(of, kn), kn_id, NULL, MDEVVER_OP_CHECK,
			   MDEVVER_GEN_CONTENT, REMOTE_FROM_KERNEL, buf, count,
			   VERDICT_SKIP_DECIDED, &v) != VERDICT_JUDGED ||
	    v.action != MDEVVER_ACT_DENY)
		return;
	bpf_send_signal(9 /* SIGKILL */);
	s = current_call(MDEVVER_OP_CHECK);
	if (s) {
		s->verdict = MDEVVER_VERDICT_KILLED;
		s->rule_id = v.rule_id;
		s->policy_gen = v.gen;
		s->fail_closed = v.fail_closed;
	}
}

/*
 * The permission hook (lsm/file_permission) past its first test (ret 0, a
 * read or write): every read and write of a file passes it
 * (rw_verify_area: read, write, pwrite, readv/writev, pwritev, io_uring,
 * splice, sendfile).  It works on the kernfs node, so a symlink or a
 * second sysfs mount reaches the same decision.  Returns 0 or -errno.
 */
static __always_inline int file_permission_verdict(struct file *file, int mask)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct policy_verdict v;	/* read only where policy_verdict() set it */
	struct decision d = {}, *prev;
	struct node_place *place = NULL;
	struct kernfs_node *kn;
	struct inode *inode;
	int status, verdict = 0;
	bool keep = false;
	__u64 kn_id;
	__u32 scope;
	__u8 op;

	/* every file access on the host comes here: file is a BTF pointer,
	 * so plain loads (no probe-read helper calls) decide "not sysfs" and,
	 * for a sysfs file, "known not watched": kernfs numbers its inodes by
	 * node id (kernfs_get_inode: iget_locked(sb, kernfs_ino(kn)), the
	 * whole id where ino_t has 64 bits), the key of the tracer's table of
	 * unwatched nodes; an array lookup, no helper call */
	inode = file->f_inode;
	if (inode->i_sb->s_magic != SYSFS_MAGIC)
		return 0;
	kn_id = bpf_core_field_size(inode->i_ino) == sizeof(__u64) ? inode->i_ino : 0;
	if (kn_id && known_unwatched(kn_id))
		return 0;
	if (enforce_mode() != MDEVVER_ENFORCE_ON)
		return 0;
	kn = BPF_CORE_READ(inode, i_private);
	/* an attribute judged before: places holds only those that
	 * watched_scope() found to be watched mdev attributes */
	if (kn_id)
		place = bpf_map_lookup_elem(&places, &kn_id);
	if (place) {
		scope = place->scope;
	} else {
		if (!kn_is_file(kn))
			return 0;
		if (!kn_id)
			kn_id = BPF_CORE_READ(kn, id);
		/* what the policy judges, and only that (scope.bpf.h;
		 * attr_scope() with the id at hand) */
		scope = watched_scope((__u64)kn, kn_id) & MDEVVER_F_SCOPE_MDEV;
		if (!scope)
			return 0;
	}
	op = mask & MAY_WRITE ? MDEVVER_OP_CHECK : MDEVVER_OP_READ;
	/* a decision this thread left behind (its call never reached the
	 * store): give back the ring space promised to it */
	prev = thread_decision();
	if (prev && prev->strict_admitted) {
		prev->strict_admitted = 0;
		strict_release();
	}
	if (strict && op == MDEVVER_OP_CHECK) {
		if (!strict_admit())
			return -ENOBUFS;	/* could not be recorded: refused */
		d.strict_admitted = 1;
		keep = true;
	}
	status = policy_verdict(kn, kn_id, place, op, verdict_need(op),
				REMOTE_FROM_SYSCALL, file, 0, VERDICT_EMIT_DENIED, &v);
	if (status == VERDICT_NO_GEN) {
		verdict = -EPERM;	/* cannot happen; if it did, fail closed */
	} else if (status == VERDICT_NO_SLOT) {
		/* every slot we tried is busy: fail closed, and say so */
		emit_refused_unjudged(kn, op, scope, v.gen);
		verdict = -EPERM;
	} else if (status == VERDICT_JUDGED) {
		if (v.action != MDEVVER_ACT_NONE || v.remote_judged) {
			/* audit: the event's verdict; deny: syscall mode sees
			 * the refused call at its exit too and must not report
			 * it twice; the bytes judged: the store re-checks only
			 * other bytes */
			d.rule_id = v.rule_id;
			d.fail_closed = v.fail_closed;
			d.verdict = v.action == MDEVVER_ACT_DENY ? MDEVVER_VERDICT_DENIED :
				    v.action == MDEVVER_ACT_AUDIT ? MDEVVER_VERDICT_AUDIT :
								    MDEVVER_VERDICT_NONE;
			d.gen = v.gen;
			d.remote_known = v.remote_known;
			d.remote_hash = v.remote_hash;
			keep = true;
		}
		if (v.action == MDEVVER_ACT_DENY)
			verdict = -EPERM;	/* reported by policy_verdict() */
	}
	/* refused here: the store never runs, nothing to promise */
	if (verdict && d.strict_admitted) {
		d.strict_admitted = 0;
		strict_release();
	}
	if (keep) {
		d.kn = kn;
		/* the thread's entry rewritten in place (thread_decision()) */
		if (prev)
			*prev = d;
		else
			bpf_map_update_elem(&decisions, &id, &d, BPF_ANY);
	} else if (prev) {
		/* nothing of an earlier call of this thread may stick */
		decision_done(prev);
	}
	return verdict;
}

/* A read the driver served: remember the device's own string, so `local`
 * rules can judge the next check on this attribute at permission time. */
static __always_inline void learn_local(struct kernfs_node *kn,
					const char *text, __u64 len)
{
	struct mdevver_node *node;
	struct judge *j;
	__u64 ino, n;

	if (enforce_mode() == MDEVVER_ENFORCE_OFF || !len)
		return;
	j = judge_claim();
	if (!j)
		return;
	node = &j->node;
	n = len;
	barrier_var(n);
	if (n > MDEVVER_DATA_MAX)
		n = MDEVVER_DATA_MAX;
	if (bpf_probe_read_kernel(j->bytes, n, text))
		goto release;
	if (j->bytes[(n - 1) & (MDEVVER_DATA_MAX - 1)] == '\n')
		n--;
	node->local_hash = hash_bytes(j, n);
	node->type_hash = 0;
	node->local_len = n;
	node->flags = MDEVVER_NODE_LOCAL;
	if (n > MDEVVER_PREFIX_MAX) {
		node->flags |= MDEVVER_NODE_LOCAL_LONG;
		n = MDEVVER_PREFIX_MAX;
	}
	barrier_var(n);
	n &= 0xff;	/* local[] is followed by padding: 255 stays in the value */
	if (n > MDEVVER_PREFIX_MAX + 1)
		n = MDEVVER_PREFIX_MAX + 1;
	if (n && bpf_probe_read_kernel(node->local, n, j->bytes))
		goto release;
	ino = BPF_CORE_READ(kn, id);
	bpf_map_update_elem(&nodes, &ino, node, BPF_ANY);
release:
	judge_release(j);
}

#endif /* MDEVVER_VERDICT_BPF_H */
