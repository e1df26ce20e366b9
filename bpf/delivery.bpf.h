/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * delivery.bpf.h - how a finished call reaches user space, and what is
 * counted when it cannot (docs/delivery.md).
 *
 *   two rings      checks and reads never share one: any local user may
 *                  read a version attribute (sysfs 0444/0644), and a flood
 *                  of reads must not push a single check out.
 *   coalescing     a call identical to its thread's previous one of the
 *                  same class adds one to the pending count of that run's
 *                  repeat slot instead of taking ring space; the protocol
 *                  (who takes pending counts out, and reports them) is in
 *                  include/mdevver_trace.h.
 *   loss counters  per class: lost[] (no ring space), untracked[]
 *                  (capture.bpf.h: in-flight table full).
 *   strict         enforce --strict: the permission hook admits a check
 *                  only when ring space for its record is promised to it;
 *                  otherwise the check is refused with ENOBUFS, before the
 *                  driver sees it, and counted.
 */
#ifndef MDEVVER_DELIVERY_BPF_H
#define MDEVVER_DELIVERY_BPF_H

#include "policy.bpf.h"

/* Ring space one admitted check may need: its event and the repeat record
 * of the run it ends (ring records carry an 8-byte header, 8-aligned). */
#define RING_REC(sz)	((((sz) + 8) + 7) & ~7ull)
#define STRICT_UNIT	(RING_REC(sizeof(struct mdevver_event)) + \
			 RING_REC(sizeof(struct mdevver_repeat)))

/* The verdict a finished call reports (enforcing: decided earlier). */
struct verdict_facts {
	__u32 rule_id;
	__u16 fail_closed;
	__u8 verdict;
	__u8 policy_gen;
};

static __always_inline __u32 class_of(__u8 op)
{
	return op == MDEVVER_OP_CHECK ? MDEVVER_CLASS_CHECK : MDEVVER_CLASS_READ;
}

static __always_inline void count_lost(__u32 cls, __u64 n)
{
	if (cls == MDEVVER_CLASS_CHECK)
		__sync_fetch_and_add(&lost[MDEVVER_CLASS_CHECK], n);
	else
		__sync_fetch_and_add(&lost[MDEVVER_CLASS_READ], n);
}

/* Ring space of the class; NULL (counted lost) when full, or when a newer
 * instance reports now (adoption: not lost, the new one delivers). */
static __always_inline void *ring_reserve(__u32 cls, __u64 size_is_event)
{
	void *r;

	if (state_get(MDEVVER_STATE_INSTANCE) != instance_id)
		return NULL;
	if (cls == MDEVVER_CLASS_CHECK)
		r = size_is_event ? bpf_ringbuf_reserve(&checks, sizeof(struct mdevver_event), 0)
				  : bpf_ringbuf_reserve(&checks, sizeof(struct mdevver_repeat), 0);
	else
		r = size_is_event ? bpf_ringbuf_reserve(&reads, sizeof(struct mdevver_event), 0)
				  : bpf_ringbuf_reserve(&reads, sizeof(struct mdevver_repeat), 0);
	return r;
}

static __always_inline struct mdevver_event *reserve_event(__u32 cls)
{
	struct mdevver_event *e = ring_reserve(cls, 1);

	if (!e && state_get(MDEVVER_STATE_INSTANCE) == instance_id)
		count_lost(cls, 1);
	return e;
}

/*
 * Waking the reader for every record costs a context switch per check (on a
 * busy or single CPU the reader preempts the writer each time).  The reader
 * polls at least every MDEVVER_POLL_MS anyway, so wake it only when the
 * ring is a quarter full: latency stays bounded by the poll interval and a
 * burst still gets drained before it overflows.
 */
/* What the ring of cls holds unread (reserved records too), and its size. */
static __always_inline void ring_level(__u32 cls, __u64 *avail, __u64 *size)
{
	if (cls == MDEVVER_CLASS_CHECK) {
		*avail = bpf_ringbuf_query(&checks, BPF_RB_AVAIL_DATA);
		*size = bpf_ringbuf_query(&checks, BPF_RB_RING_SIZE);
	} else {
		*avail = bpf_ringbuf_query(&reads, BPF_RB_AVAIL_DATA);
		*size = bpf_ringbuf_query(&reads, BPF_RB_RING_SIZE);
	}
}

static __always_inline __u64 ring_wakeup(__u32 cls)
{
	__u64 avail, size;

	ring_level(cls, &avail, &size);
	return avail >= size / 4 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void ring_submit(__u32 cls, void *rec)
{
	bpf_ringbuf_submit(rec, ring_wakeup(cls));
}

/*
 * Is there room in the ring of cls for a record of up to bound bytes?
 * Asked before an event is built: with a stalled reader every call would
 * otherwise build its whole event and only then find the ring full (the
 * dry run's checks, uncoalesced: +3,477 -> +13,023 ns each with the reader
 * stopped).  Other CPUs may still fill the ring before the record is
 * sent; then it is counted lost there.
 */
static __always_inline bool ring_room(__u32 cls, __u64 bound)
{
	__u64 avail, size;

	ring_level(cls, &avail, &size);
	/* and the ring's record header: 8 bytes */
	return avail + bound + 8 <= size;
}

/* The most a call's event can take in its ring (send_event: the bytes and
 * the string packed when they fit in data[], else the whole struct). */
static __always_inline __u64 event_bound(const struct inflight *s, __u64 count)
{
	__u64 n = count < MDEVVER_DATA_MAX ? count : MDEVVER_DATA_MAX;

	if (s->flags & MDEVVER_F_LOCAL)
		n += s->local_len;
	return n <= MDEVVER_DATA_MAX ? MDEVVER_EVENT_MIN_LEN + n
				     : sizeof(struct mdevver_event);
}

/*
 * A free event scratch of this CPU (maps.bpf.h event_scratch), taken;
 * NULL when both are (the caller counts the call lost).  The one taken is
 * looked up again by its index, so that everything after this has one
 * pointer to verify: returned from two lookups, the event's whole fill
 * was verified twice in some exits (fexit show: 9,247 -> 37,182
 * instructions).
 */
static __always_inline struct event_scratch *event_claim(void)
{
	__u32 first = 0, second = 1, key;
	struct event_scratch *sc = bpf_map_lookup_elem(&event_scratch, &first);

	if (!sc)
		return NULL;
	if (__sync_val_compare_and_swap(&sc->busy, 0, 1) == 0) {
		key = first;
	} else {
		sc = bpf_map_lookup_elem(&event_scratch, &second);
		if (!sc || __sync_val_compare_and_swap(&sc->busy, 0, 1) != 0)
			return NULL;
		key = second;
	}
	barrier_var(key);
	return bpf_map_lookup_elem(&event_scratch, &key);
}

/*
 * A built event to the ring of its class, as long as what it holds: the
 * header, the path, data_len bytes, and the device's string moved to just
 * after them (MDEVVER_F_LOCAL_PACKED) when both fit in data[]; else the
 * whole struct.  A check's record is ~1.2 KiB, not 9 KiB: eight times as
 * many fit in a ring before a burst of distinct strings is lost.  false:
 * the ring is full (the caller counts it lost).
 */
static __always_inline bool send_event(__u32 cls, struct mdevver_event *e)
{
	__u64 dl = e->data_len, ll = e->local_len, size;

	barrier_var(dl);
	if (dl > MDEVVER_DATA_MAX)
		dl = MDEVVER_DATA_MAX;
	barrier_var(ll);
	if (ll > MDEVVER_LOCAL_MAX)
		ll = MDEVVER_LOCAL_MAX;
	size = MDEVVER_EVENT_MIN_LEN + dl;
	if (e->flags & MDEVVER_F_LOCAL) {
		if (dl + ll <= MDEVVER_DATA_MAX) {
			/* no overlap: the string ends before local[] */
			if (bpf_probe_read_kernel(e->data + dl, ll, e->local))
				e->flags &= ~MDEVVER_F_LOCAL;
			else
				size += ll;
			e->flags |= MDEVVER_F_LOCAL_PACKED;
		} else {
			size = sizeof(*e);
		}
	}
	if (cls == MDEVVER_CLASS_CHECK)
		return !bpf_ringbuf_output(&checks, e, size, ring_wakeup(cls));
	return !bpf_ringbuf_output(&reads, e, size, ring_wakeup(cls));
}

/* ---- strict admission (enforce --strict) ------------------------------- */

static __always_inline __u64 *strict_admitted(void)
{
	__u32 key = MDEVVER_STATE_STRICT_ADMITTED;

	return bpf_map_lookup_elem(&enforce_state, &key);
}

/*
 * Promise ring space to one check.  Free space is the ring size less what
 * is reserved and not yet consumed, less what earlier admissions were
 * promised and have not reserved yet.  Conservative: between a record's
 * reservation and the release of its promise the space counts twice.
 */
static __always_inline bool strict_admit(void)
{
	__u64 *adm = strict_admitted();
	__u64 size = bpf_ringbuf_query(&checks, BPF_RB_RING_SIZE);
	__u64 used = bpf_ringbuf_query(&checks, BPF_RB_AVAIL_DATA);
	__u64 promised;

	if (!adm)
		return false;
	promised = __sync_fetch_and_add(adm, STRICT_UNIT) + STRICT_UNIT;
	if (used + promised <= size)
		return true;
	__sync_fetch_and_add(adm, -(__s64)STRICT_UNIT);
	__sync_fetch_and_add(&strict_refused, 1);
	return false;
}

static __always_inline void strict_release(void)
{
	__u64 *adm = strict_admitted();

	if (adm)
		__sync_fetch_and_add(adm, -(__s64)STRICT_UNIT);
}

/* ---- the verdict of a finished call ------------------------------------ */

/*
 * Enforcing: what the permission hook decided for this call (it judged
 * already; the store's re-check may have overruled it with "killed").  The
 * decision is consumed here, and with it a strict admission.
 */
static __always_inline void take_verdict(struct inflight *s,
					 struct kernfs_node *kn,
					 struct verdict_facts *v)
{
	struct decision *d;

	v->verdict = s->verdict;
	v->rule_id = s->rule_id;
	v->policy_gen = s->policy_gen;
	v->fail_closed = s->fail_closed;
	if (enforce_mode() != MDEVVER_ENFORCE_ON)
		return;
	d = thread_decision();
	if (!d)
		return;
	if (d->strict_admitted)
		strict_release();
	/* a call that got this far was not refused: only an audit mark can
	 * be its verdict */
	if (d->kn == kn && !v->verdict && d->verdict == MDEVVER_VERDICT_AUDIT) {
		v->verdict = d->verdict;
		v->rule_id = d->rule_id;
		v->policy_gen = d->gen;
		v->fail_closed = d->fail_closed;
	}
	decision_done(d);
}

static __always_inline void apply_verdict(struct mdevver_event *e,
					  const struct verdict_facts *v)
{
	e->verdict = v->verdict;
	e->rule_id = v->rule_id;
	e->policy_gen = v->policy_gen;
	e->fail_closed = v->fail_closed;
}

/* ---- coalescing -------------------------------------------------------- */

static __always_inline __u32 slot_of(__u64 id)
{
	return (__u32)((id * 0x9E3779B97F4A7C15ull) >> 40) & (MDEVVER_REPEAT_SLOTS - 1);
}

static __always_inline struct mdevver_repeat_slot *slot_at(__u32 cls, __u32 slot)
{
	__u32 idx = cls * MDEVVER_REPEAT_SLOTS + (slot & (MDEVVER_REPEAT_SLOTS - 1));

	return bpf_map_lookup_elem(&repeat_slots, &idx);
}

/* A run generation: unique while the pinned state lives (0 = no run). */
static __always_inline __u32 new_run_gen(void)
{
	__u32 key = MDEVVER_STATE_RUN_GEN;
	__u64 *g = bpf_map_lookup_elem(&enforce_state, &key);
	__u32 gen;

	if (!g)
		return 0;
	gen = (__u32)(__sync_fetch_and_add(g, 1) + 1);
	if (!gen)
		gen = (__u32)(__sync_fetch_and_add(g, 1) + 1);
	return gen;
}

/* The run state of the thread whose call s is: in s's own slot (no lookup
 * at all). */
static __always_inline struct run_state *thread_runs(struct inflight *s)
{
	return &((struct thread_slot *)s)->runs;
}

/*
 * Branch-free comparisons: a branch per word would multiply the verifier's
 * states along every path through the exit programs.
 */
static __always_inline bool same_key(const struct run_key *a, const struct run_key *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;
	__u64 diff = 0;

	for (int i = 0; i < (int)(sizeof(struct run_key) / 8); i++)
		diff |= x[i] ^ y[i];
	return !diff;
}

/*
 * Both are MDEVVER_REPEAT_DATA_MAX long and zero from their length to the
 * end of the word it ends in (run_compare; past that word they may hold
 * an older call's bytes); len is b's, and a call whose length differs
 * differs in its key already, so only the words that hold len bytes are
 * compared (a check's string is a few words of 32).  The one branch per
 * word ends the loop: past it the loop's registers are dead, so the
 * verifier prunes the paths it leaves by at the first state it has seen.
 */
static __always_inline bool same_bytes(const char *a, const char *b, __u64 len)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;
	__u64 diff = 0, words = (len + 7) / 8;

	for (int i = 0; i < MDEVVER_REPEAT_DATA_MAX / 8; i++) {
		if ((__u64)i >= words)
			break;
		diff |= x[i] ^ y[i];
	}
	return !diff;
}

/* One more repeat of this thread's run: true when counted. */
static __always_inline bool run_add(__u32 cls, struct run_class *rc)
{
	struct mdevver_repeat_slot *sl = slot_at(cls, rc->slot);

	if (!sl)
		return false;
	for (int i = 0; i < 4; i++) {
		__u64 w = *(volatile __u64 *)&sl->word;

		if (MDEVVER_RUN_GEN(w) != rc->gen ||
		    MDEVVER_RUN_PENDING(w) == 0xffffffffu)
			return false;	/* taken over by another run, or full */
		if (__sync_val_compare_and_swap(&sl->word, w, w + 1) == w) {
			sl->last_ts = bpf_ktime_get_ns();
			return true;
		}
	}
	return false;
}

/*
 * Start run gen in this thread's slot.  What the slot held (another run's
 * pending repeats) is reported first, so that in the ring it comes before
 * the event that starts the new run.
 */
static __always_inline void run_start(__u32 cls, __u32 slot, __u32 gen, __u8 op)
{
	struct mdevver_repeat_slot *sl = slot_at(cls, slot);
	struct mdevver_repeat *r;
	__u64 old;

	if (!sl)
		return;
	old = __sync_lock_test_and_set(&sl->word, MDEVVER_RUN_WORD(gen, 0));
	if (!MDEVVER_RUN_PENDING(old))
		return;
	r = ring_reserve(cls, 0);
	if (!r) {
		count_lost(cls, MDEVVER_RUN_PENDING(old));
		return;
	}
	r->kind = MDEVVER_REC_REPEAT;
	r->slot = slot;
	r->gen = MDEVVER_RUN_GEN(old);
	r->op = op;
	r->__pad[0] = r->__pad[1] = r->__pad[2] = 0;
	r->count = MDEVVER_RUN_PENDING(old);
	r->ts_ns = sl->last_ts;
	ring_submit(cls, r);
}

/* Facts of the current call that decide whether it repeats the last one. */
static __always_inline void run_key_fill(struct run_key *k, struct inflight *s,
					 __u8 mode,
					 __s64 ret, __u32 len,
					 const struct verdict_facts *v)
{
	k->node_id = s->node_id;
	k->ret = ret;
	k->vendor_ret = s->vendor_ret;
	k->data_len = len;
	k->rule_id = v->rule_id;
	k->flags = s->flags;
	k->local_len = s->local_len;
	k->vendor_remote_len = s->vendor_remote_len;
	k->fail_closed = v->fail_closed;
	k->op = s->op;
	k->mode = mode;
	k->verdict = v->verdict;
	k->policy_gen = v->policy_gen;
	k->__pad[0] = k->__pad[1] = 0;
	if (task_btf) {
		/*
		 * Plain loads of what the helpers return (kernel_types.h):
		 * every check pays this, and on 6.1 the uid/gid helper alone
		 * (two from_kuid() maps) and the cgroup helper (an RCU read
		 * section of its own) cost more than the loads.  comm is
		 * NUL-padded in the task (set_task_comm: strscpy_pad), so its
		 * 16 bytes compare as the string does.
		 */
		struct task_struct *task = bpf_get_current_task_btf();
		const struct cred *cred = task->cred;

		k->owner = ((__u64)(__u32)task->tgid << 32) | (__u32)task->pid;
		k->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
		k->uid_gid = ((__u64)cred->gid.val << 32) | cred->uid.val;
		k->ppid = task->real_parent->tgid;
		__builtin_memcpy(k->comm, task->comm, sizeof(k->comm));
	} else {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();

		k->owner = bpf_get_current_pid_tgid();
		k->cgroup_id = bpf_get_current_cgroup_id();
		k->uid_gid = bpf_get_current_uid_gid();
		k->ppid = BPF_CORE_READ(task, real_parent, tgid);
		bpf_get_current_comm(k->comm, sizeof(k->comm));
	}
}

/*
 * Compare the call with its thread's run.  Returns the run state when the
 * call may be coalesced (its key and bytes are in rs->cand_key/cand), with
 * *repeat set when it repeats the current run; NULL when it cannot be
 * coalesced at all (bytes too long or unreadable, no state).
 */
static __always_inline struct run_state *run_compare(struct inflight *s,
						     struct kernfs_node *kn,
						     __u8 mode, __s64 ret,
						     __u64 len, const void *src,
						     bool user,
						     const struct verdict_facts *v,
						     bool *repeat)
{
	struct run_state *rs;
	struct run_class *rc;
	__u64 n = len;
	long err = 0;

	*repeat = false;
	if (len > MDEVVER_REPEAT_DATA_MAX || (len && !src))
		return NULL;
	rs = thread_runs(s);
	barrier_var(n);
	if (n > MDEVVER_REPEAT_DATA_MAX)
		n = MDEVVER_REPEAT_DATA_MAX;
	if (n) {
		/* zero the last word the bytes reach into, then the bytes:
		 * same_bytes() compares whole words up to the length, and
		 * nothing past them (no 256-byte clear per call); one
		 * aligned store (through a char pointer clang would split it
		 * into eight), the index masked for the verifier */
		((__u64 *)rs->cand)[((n - 1) / 8) & (MDEVVER_REPEAT_DATA_MAX / 8 - 1)] = 0;
		err = user ? bpf_probe_read_user(rs->cand, n, src)
			   : bpf_probe_read_kernel(rs->cand, n, src);
	}
	if (err)
		return NULL;
	run_key_fill(&rs->cand_key, s, mode, ret, n, v);
	rc = &rs->run;
	*repeat = rc->gen && ((int)same_key(&rc->key, &rs->cand_key) &
			      (int)same_bytes(rc->data, rs->cand, n));
	return rs;
}

/*
 * Before a finished call is sent: true when it was counted as one more
 * repeat of its thread's run (nothing to send).  Otherwise its thread's run
 * ends, and when the call itself can start one, the new run is started in
 * the thread's slot (which reports the previous run's repeats first) and
 * kept in next_gen until run_end() names it in the call's event.  Nothing
 * of it is returned: the event's fill code after this must be verified
 * once, not once per path taken here.
 */
static __always_inline bool run_begin(struct inflight *s, struct kernfs_node *kn,
				      __u8 mode, __s64 ret, __u64 count,
				      const void *src, bool user,
				      const struct verdict_facts *v)
{
	__u32 cls = class_of(s->op), gen;
	struct run_state *rs;
	struct run_class *rc;
	bool repeat;

	/* a dry run judges with the event's bytes: every call is sent */
	if (enforce_mode() == MDEVVER_ENFORCE_DRY_RUN ||
	    (mode == MDEVVER_MODE_SYSCALL && s->vectored))
		return false;
	rs = run_compare(s, kn, mode, ret, count, src, user, v, &repeat);
	if (!rs)
		return false;
	rc = &rs->run;
	if (repeat && run_add(cls, rc))
		return true;
	rc->gen = 0;
	gen = new_run_gen();
	rc->next_gen = gen;
	rc->slot = slot_of(bpf_get_current_pid_tgid());
	if (gen)
		run_start(cls, rc->slot, gen, s->op);
	return false;
}

/* The call's event could not be reserved: the run it began never starts. */
static __always_inline void run_abort(struct inflight *s)
{
	thread_runs(s)->run.next_gen = 0;
}

/* The event that started the thread's run (run_end) could not be sent:
 * no repeat may count towards it (the next identical call starts anew;
 * its slot holds no pending repeats of it). */
static __always_inline void run_unsent(struct inflight *s)
{
	thread_runs(s)->run.gen = 0;
}

/*
 * The event goes out now: when it starts the run run_begin() began, name
 * the run in it, and from here on the thread's repeats of it are counted in
 * its slot.  (The run's key and bytes were left in cand_key/cand.)
 */
static __always_inline void run_end(struct mdevver_event *e, struct inflight *s)
{
	struct run_state *rs;
	struct run_class *rc;
	__u32 gen;

	e->run_slot = 0;
	e->run_gen = 0;
	rs = thread_runs(s);
	rc = &rs->run;
	gen = rc->next_gen;
	if (!gen)
		return;
	rc->next_gen = 0;
	rc->gen = gen;
	e->run_slot = rc->slot;
	e->run_gen = gen;
	__builtin_memcpy(&rc->key, &rs->cand_key, sizeof(rc->key));
	bpf_probe_read_kernel(rc->data, sizeof(rc->data), rs->cand);
}

/*
 * Nothing of class cls is in flight anywhere and no call needs rebuilding:
 * the exit program of an unrelated sysfs access stops here, on one load of
 * a global, before any map lookup or read of its arguments.  open_calls[]
 * counts in-flight entries (begin_call/end_call): an entry of this thread
 * was counted before its call went on, so its exit sees it (same thread;
 * a migration in between is a full barrier).
 */
static __always_inline bool none_in_flight(int cls)
{
	/* READ_ONCE: clang 14's BPF back end has no atomic load */
	return !recover_skipped && !*(volatile __s64 *)&open_calls[cls];
}

/*
 * A call whose entry program did not run, rebuilt at its exit (the caller
 * found no current_call(), has the exit's arguments and recover_skipped
 * is set).  When the kernel skipped the entry (recursion
 * protection: where tracing programs can be preempted, a program preempted
 * on a CPU keeps the next call on that CPU out of it), the state is rebuilt
 * from the exit's own arguments, if it has them (fexit does, kretprobe
 * not): same filters, no latency, no vendor view.  The rebuilt state lives
 * in a slot the thread claims, like an entry's call: a map value, so
 * nothing large goes on the stack (6.1 counts the judge's frames in the
 * same 512 bytes).
 */
static __always_inline struct inflight *call_at_exit(__u8 op,
						     const void *target,
						     const void *buf, __u64 count,
						     struct kernfs_node *kn)
{
	struct thread_slot *ts;
	struct inflight *s;
	__u64 kn_id;
	__u32 scope;

	if (!task_wanted())
		return NULL;
	kn_id = BPF_CORE_READ(kn, id);
	scope = attr_scope_id(kn, kn_id);
	if (!scope)
		return NULL;
	/* current_call() found no busy slot of this thread: a fresh claim,
	 * counted open like an entry's (end_call() closes it) */
	ts = slot_claim(op_class(op), current_tid());
	if (!ts) {
		count_class((__s64 *)untracked, op, 1);
		return NULL;
	}
	s = &ts->call;
	count_class(open_calls, op, 1);
	__builtin_memset(s, 0, sizeof(*s));
	s->start_ns = bpf_ktime_get_ns();
	s->target = target;
	s->node = kn;
	s->node_id = kn_id;
	s->buf = buf;
	s->count = count;
	s->op = op;
	s->flags = MDEVVER_F_ENTRY_UNSEEN | scope;
	return s;
}

#endif /* MDEVVER_DELIVERY_BPF_H */
