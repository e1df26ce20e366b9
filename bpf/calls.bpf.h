/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * calls.bpf.h - the one capture path every attach mode's entry points
 * (mdevver_trace.bpf.c) call into:
 *
 *   store_begin / store_end   a sysfs store (sysfs_kf_write): fentry/fexit,
 *                             kprobe/kretprobe
 *   show_begin / show_end     a sysfs show (sysfs_kf_seq_show), same modes
 *   sys_begin / sys_end       syscall mode: write/pwrite64/writev/read/
 *                             pread64 on a watched sysfs file
 *
 * Each *_begin records the call (capture.bpf.h's begin_call), each *_end
 * hands it to deliver_call(): one event in the ring of its class, or one
 * more repeat of its thread's run (delivery.bpf.h), judged by the dry run
 * where it runs (verdict.bpf.h).
 *
 * policy (a constant of each entry point): whether the path may reach the
 * policy's matcher -- the store's re-check (enforcing) and the dry run's
 * judgement.  The matcher is a global function (policy.bpf.h judge_call),
 * and kernels before 6.8 verify a global function in every program that
 * names it, reachable or not: in a plain tracer's three fentry programs
 * that was ~9,800 instructions each (6.1), a third of all it verified.  So
 * each such entry point of the fentry and kprobe modes exists twice
 * (mdevver_trace.bpf.c), and user space loads the one with the matcher
 * only for enforce and its dry run (attach.c spec_program()); the syscall
 * exits keep the matcher always (mdevver_trace.bpf.c says why).
 */
#ifndef MDEVVER_CALLS_BPF_H
#define MDEVVER_CALLS_BPF_H

#include "verdict.bpf.h"

/* ------------------------------------------------------------------------
 * Delivery of a finished call, whatever the mode.
 * ---------------------------------------------------------------------- */

/* writev: gather up to MDEVVER_IOV_MAX pieces into data[]. */
static __always_inline void fill_data_iov(struct mdevver_event *e,
					  const struct iovec *vec, __u64 iovcnt,
					  __u64 *total)
{
	long got = gather_iov(e->data, vec, iovcnt, total);

	if (got < 0) {
		e->flags |= MDEVVER_F_DATA_UNREADABLE;
		got = 0;
	}
	if (iovcnt > MDEVVER_IOV_MAX || *total > (__u64)got)
		e->flags |= MDEVVER_F_DATA_TRUNCATED;
	e->data_len = got;
}

/*
 * A finished call: one more repeat of its thread's run, or one event in the
 * ring of its class (which may start a new run).  src: the bytes (user
 * memory when user), or for a vectored call the iovec array.  A dry run
 * judges with the event's own bytes and is never coalesced.  policy: a
 * compile-time constant of the entry point (POLICY_VARIANTS below).
 *
 * Verifier cost: nothing decided by a branch before the event is filled
 * (class, run, dry run) stays live across fill_path()/fill_data(); it is
 * written into the event first and read back afterwards, so the paths
 * merge again before the expensive part.
 */
static __always_inline void deliver_call(struct inflight *s, __u8 mode,
					 __s64 ret, __u64 count,
					 struct kernfs_node *kn,
					 const void *src, bool user, bool policy)
{
	struct verdict_facts v = {};
	struct event_scratch *sc;
	struct mdevver_event *e;
	__u64 total = 0;

	/* adoption: a newer instance's programs see this call too and
	 * deliver it; ours must not touch the shared rings and slots */
	if (state_get(MDEVVER_STATE_INSTANCE) != instance_id)
		return;
	take_verdict(s, kn, &v);
	if (run_begin(s, kn, mode, ret, count, src, user, &v))
		return;		/* one more repeat of the thread's run */
	/* a vectored call's count is its iovec count: data_len is capped */
	sc = ring_room(class_of(s->op),
		       event_bound(s, s->vectored ? MDEVVER_DATA_MAX : count))
		? event_claim() : NULL;
	if (!sc) {
		run_abort(s);	/* it starts no run */
		count_lost(class_of(s->op), 1);
		return;
	}
	e = &sc->e;
	fill_common(e, s, mode, ret, count);
	apply_verdict(e, &v);
	e->node_id = s->node_id;
	fill_path(e, kn);
	/* only syscall mode sees a writev: mode is a constant of each entry
	 * point, so the iovec gather is not even verified in the others */
	if (mode == MDEVVER_MODE_SYSCALL && s->vectored) {
		fill_data_iov(e, src, s->count, &total);
		e->count = total;
	} else {
		fill_data(e, src, count, user);
	}
	if (policy && enforce_mode() == MDEVVER_ENFORCE_DRY_RUN)
		policy_for_event(e, kn, e->op);
	run_end(e, s);
	if (!send_event(class_of(e->op), e)) {
		run_unsent(s);
		count_lost(class_of(e->op), 1);
	}
	sc->busy = 0;
}

/* ------------------------------------------------------------------------
 * Generic layer: the sysfs store/show dispatch in fs/sysfs/file.c.
 * ---------------------------------------------------------------------- */

/*
 * The scope of a store: the thread's slot remembers
 * the scope of the node of its last store (what scope_cache said), so a
 * thread that checks the same attribute again looks up neither the cache
 * nor a name.
 */
static __always_inline __u32 store_scope_slot(struct kernfs_open_file *of,
					      __u64 kn_id, __u32 *tidp)
{
	struct thread_slot *ts;
	__u32 *hit, tid;

	if (known_unwatched(kn_id))
		return 0;
	/* after the unwatched test: an unrelated write pays no helper call */
	tid = current_tid();
	*tidp = tid;
	ts = own_slot(MDEVVER_CLASS_CHECK, tid, false);
	if (ts) {
		__u64 node = ts->scope_node, check = ts->scope_check;
		__u32 scope = ts->scope;

		if (node == kn_id && check == (node ^ scope ^ SCOPE_SALT))
			return scope;
	}
	hit = bpf_map_lookup_elem(&scope_cache, &kn_id);
	if (!hit)
		/* a global function takes a scalar, not fentry's BTF
		 * pointer: of->kn read again (a miss only) */
		return watched_scope((__u64)BPF_CORE_READ(of, kn), kn_id);
	return *hit;
}

/* kn, kn_id: of->kn and its id, read by the entry point (fentry reads
 * them directly). */
static __always_inline void store_begin(struct kernfs_open_file *of,
					struct kernfs_node *kn, __u64 kn_id,
					const char *buf, __u64 count, bool policy)
{
	struct thread_slot *ts;
	__u32 scope, tid = 0;

	/* every sysfs write on the host: the scope first (an array lookup
	 * says "not watched"), asked once for tracing and re-check */
	scope = store_scope_slot(of, kn_id, &tid);
	if (!scope)
		return;
	if (task_wanted()) {
		if ((ts = slot_claim(MDEVVER_CLASS_CHECK, tid))) {
			slot_begin(ts, MDEVVER_OP_CHECK, scope, of, kn, kn_id,
				   buf, count, 0, 0);
			/* the slot is ours now: remember the node's scope */
			ts->scope_node = kn_id;
			ts->scope = scope;
			ts->scope_check = kn_id ^ scope ^ SCOPE_SALT;
		} else {
			count_class((__s64 *)untracked, MDEVVER_OP_CHECK, 1);
		}
	}
	if (policy)
		store_recheck(of, kn_id, scope, buf, count);
}

/* have_args: the exit program has the store's arguments (fexit). */
static __always_inline void store_end(__u8 mode, __s64 ret, bool have_args,
				      struct kernfs_open_file *of_arg,
				      const char *buf_arg, __u64 count_arg,
				      bool policy)
{
	struct inflight *s;

	if (none_in_flight(MDEVVER_CLASS_CHECK))
		return;
	s = current_call(MDEVVER_OP_CHECK);
	if (!s && have_args && recover_skipped)
		s = call_at_exit(MDEVVER_OP_CHECK, of_arg, buf_arg, count_arg,
				 BPF_CORE_READ(of_arg, kn));
	if (!s)
		return;
	if (outcome_wanted(MDEVVER_OP_CHECK, ret, s->count))
		deliver_call(s, mode, ret, s->count, s->node, s->buf, false, policy);
	end_call(MDEVVER_OP_CHECK, s);
}

static __always_inline void show_begin(struct seq_file *sf)
{
	struct kernfs_open_file *of;
	struct kernfs_node *kn;
	__u64 kn_id;
	__u32 scope;

	if (!task_wanted())
		return;
	of = BPF_CORE_READ(sf, private);
	kn = BPF_CORE_READ(of, kn);
	kn_id = BPF_CORE_READ(kn, id);
	scope = attr_scope_id(kn, kn_id);
	if (!scope)
		return;
	begin_call(MDEVVER_OP_READ, scope, sf, kn, kn_id, NULL, 0,
		   BPF_CORE_READ(sf, count), 0);
}

/* sysfs_kf_seq_show returns 0 or -errno; the text is what it added to sf.
 * A call rebuilt at its exit (entry skipped) takes the buffer from its
 * start: a sysfs show fills a fresh seq_file buffer. */
static __always_inline void show_end(__u8 mode, int err, bool have_args,
				     struct seq_file *sf_arg, bool policy)
{
	struct kernfs_open_file *of;
	struct inflight *s;
	struct seq_file *sf;
	__u64 len = 0, now, start;
	char *text;

	if (none_in_flight(MDEVVER_CLASS_READ))
		return;
	s = current_call(MDEVVER_OP_READ);
	if (!s && have_args && recover_skipped) {
		of = BPF_CORE_READ(sf_arg, private);
		s = call_at_exit(MDEVVER_OP_READ, sf_arg, NULL, 0,
				 BPF_CORE_READ(of, kn));
	}
	if (!s)
		return;
	sf = s->sf;
	start = s->start_pos;
	if (!err) {
		now = BPF_CORE_READ(sf, count);
		len = now > start ? now - start : 0;
	}
	text = BPF_CORE_READ(sf, buf) + start;
	if (!err) {
		learn_local(s->node, text, len);
		/* the vendor's get_version() wrote this text: its string */
		if (s->vendor_buf && s->vendor_buf == text)
			note_vendor_local(s, text, len);
	}
	if (outcome_wanted(MDEVVER_OP_READ, err, len))
		deliver_call(s, mode, err ? err : (__s64)len, len,
			     s->node, text, false, policy);
	end_call(MDEVVER_OP_READ, s);
}

/* ------------------------------------------------------------------------
 * Syscall mode: the last resort where neither fentry nor kprobes work.
 * A file descriptor counts when it is a sysfs regular file with a watched
 * name; the bytes are the user buffer, read at syscall exit.
 * ---------------------------------------------------------------------- */

static __always_inline void sys_begin(__u8 op, long fd, const void *buf,
				      __u64 count, __u8 vectored)
{
	struct kernfs_node *kn;
	struct inode *inode;
	struct file *f;
	__u64 kn_id;
	__u32 scope;

	if (!task_wanted())
		return;
	f = fd_file(fd);
	if (!f)
		return;
	inode = BPF_CORE_READ(f, f_inode);
	if (BPF_CORE_READ(inode, i_sb, s_magic) != SYSFS_MAGIC)
		return;
	/* kernfs keeps the node in i_private (kernfs_init_inode) */
	kn = BPF_CORE_READ(inode, i_private);
	if (!kn_is_file(kn))
		return;
	kn_id = BPF_CORE_READ(kn, id);
	scope = attr_scope_id(kn, kn_id);
	if (!scope)
		return;
	begin_call(op, scope, kn, kn, kn_id, buf, count, BPF_CORE_READ(f, f_pos),
		   vectored);
}

/* sys_op: what the exit's syscall does (a write is a check, a read a read) */
static __always_inline void sys_end(__u8 sys_op, long ret, bool policy)
{
	struct inflight *s;
	__u64 count;
	__u8 op;

	if (none_in_flight(op_class(sys_op)))
		return;
	s = current_call(sys_op);
	if (!s)
		return;
	op = s->op;
	/* a read at EOF (offset > 0, nothing left) is the tail of a read
	 * already reported, not a new one */
	if (s->op == MDEVVER_OP_READ && ret == 0 && s->start_pos > 0)
		goto out;
	count = s->op == MDEVVER_OP_READ ? (ret > 0 ? ret : 0) : s->count;
	if (!outcome_wanted(s->op, ret, count))
		goto out;
	if (ret == -EPERM && denied_by_hook(s->kn))
		goto out;	/* the permission hook reported this call */
	if (ret == -ENOBUFS && strict && s->op == MDEVVER_OP_CHECK)
		goto out;	/* refused unrecorded by --strict (counted) */
	deliver_call(s, MDEVVER_MODE_SYSCALL, ret, count,
		     s->kn, s->buf, true, policy);
out:
	end_call(op, s);
}

#endif /* MDEVVER_CALLS_BPF_H */
