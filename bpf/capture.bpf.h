/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * capture.bpf.h - the helpers every attach mode
 * shares: who is calling, is this an attribute we watch, the sysfs path of a
 * kernfs node, and turning an in-flight call into a ring-buffer event.
 *
 * Lifecycle of one traced call (any mode):
 *   entry:  task_wanted() && attr_scope(kn)  ->  begin_call()  (the
 *           thread's slot in the thread table, maps.bpf.h thread_slots)
 *   vendor: note_vendor_*()  adds the driver's own view to the slot's call
 *   exit:   deliver_call() (calls.bpf.h): one more repeat of the thread's run, or
 *           event_claim() + fill_*()  ->  send_event()  (delivery.bpf.h)
 * One event per call: the vendor functions run *inside* the sysfs store, so
 * their findings are folded into the store's event rather than sent apart.
 */
#ifndef MDEVVER_CAPTURE_BPF_H
#define MDEVVER_CAPTURE_BPF_H

#include "maps.bpf.h"
#include <bpf/bpf_tracing.h>
#include "scope.bpf.h"

static __always_inline __u64 state_get(__u32 key)
{
	__u64 *v = bpf_map_lookup_elem(&enforce_state, &key);

	return v ? *v : 0;
}

/* This CPU's vendor text, claimed for the current call. */
static __always_inline struct vendor_text *vendor_text_claim(struct inflight *s)
{
	__u32 zero = 0;
	struct vendor_text *vt = bpf_map_lookup_elem(&vendor_texts, &zero);

	if (vt) {
		vt->owner = bpf_get_current_pid_tgid();
		vt->start_ns = s->start_ns;
	}
	return vt;
}

static __always_inline bool task_wanted(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (tgid == self_tgid)
		return false;
	if (targ_tgid && tgid != targ_tgid)
		return false;
	if (filter_comm) {
		char comm[MDEVVER_TASK_COMM_LEN];

		bpf_get_current_comm(comm, sizeof(comm));
		for (int i = 0; i < MDEVVER_TASK_COMM_LEN; i++) {
			if (comm[i] != targ_comm[i])
				return false;
			if (!comm[i])
				break;
		}
	}
	return true;
}

/* Pieces of a writev the tools gather (events and judgements alike). */
#define MDEVVER_IOV_MAX 8

/*
 * Gather a user iovec (at most MDEVVER_IOV_MAX pieces) into dst, up to
 * MDEVVER_DATA_MAX bytes.  *total: what the pieces add up to; returns the
 * bytes copied, or -1 if a piece could not be read.  dst must have
 * MDEVVER_DATA_MAX bytes of room *after* the first MDEVVER_DATA_MAX: the
 * verifier bounds offset and length separately (event: local[] follows
 * data[]; judgement: bytes[] is two pages).
 */
static __always_inline long gather_iov(char *dst, const struct iovec *vec,
				       __u64 iovcnt, __u64 *total)
{
	__u64 off = 0;

	*total = 0;
	for (int i = 0; i < MDEVVER_IOV_MAX; i++) {
		struct iovec iov;
		__u64 n, at;

		if ((__u64)i >= iovcnt)
			break;
		if (bpf_probe_read_user(&iov, sizeof(iov), &vec[i]))
			return -1;
		*total += iov.iov_len;
		if (off >= MDEVVER_DATA_MAX)
			continue;
		n = iov.iov_len;
		if (n > MDEVVER_DATA_MAX - off)
			n = MDEVVER_DATA_MAX - off;
		/*
		 * The verifier cannot relate n to off, and clang drops clamps
		 * it can prove redundant; hide both from the optimiser and
		 * bound them separately: at < DATA_MAX, n <= DATA_MAX stays
		 * inside the room described above (inside the first page in
		 * fact, by the clamp above).
		 */
		at = off;
		barrier_var(at);
		barrier_var(n);
		at &= MDEVVER_DATA_MAX - 1;
		if (n > MDEVVER_DATA_MAX)
			n = MDEVVER_DATA_MAX;
		if (n && bpf_probe_read_user(dst + at, n, iov.iov_base))
			return -1;
		off += n;
	}
	return off;
}

static __always_inline __u64 *unwatched_slot(__u64 kn_id)
{
	/* kernfs ids: inode number (low 32 bits) and generation */
	__u32 idx = (__u32)(kn_id ^ (kn_id >> 32)) & (MDEVVER_UNWATCHED_SLOTS - 1);

	return bpf_map_lookup_elem(&unwatched, &idx);
}

static __always_inline bool known_unwatched(__u64 kn_id)
{
	__u64 *slot = unwatched_slot(kn_id);

	return slot && *(volatile __u64 *)slot == kn_id;
}

/*
 * Is the node watched (bpf/scope.bpf.h)?  0 when not, else its scope flag
 * for the event.  The cache first, then the name (one lookup rules out
 * nearly every file), then the mdev layout.  A global function: verified
 * once rather than in every program that asks, and its name key (64 bytes)
 * and scratch sit in its own frame, not in the frames the judge's call
 * chain adds up (6.1 counts 512 bytes over main program, judge_call and
 * its callbacks).  kn_id: the caller reads it (directly where the node is
 * a BTF pointer, fentry).
 */
__noinline int watched_scope(__u64 kn_addr, __u64 kn_id)
{
	struct kernfs_node *kn = (struct kernfs_node *)kn_addr;
	struct mdevver_attr_name key = {};
	char scratch[SCOPE_NAME_SCRATCH];
	struct kernfs_node *link;
	__u32 scope = 0, *hit;
	bool watched;

	if (!kn)
		return 0;
	hit = bpf_map_lookup_elem(&scope_cache, &kn_id);
	if (hit)
		return *hit;
	if (bpf_probe_read_kernel_str(key.name, sizeof(key.name),
				      BPF_CORE_READ(kn, name)) <= 0)
		return 0;
	watched = bpf_map_lookup_elem(&attr_names, &key) != NULL;
	if (watched)
		scope = mdev_place(scratch, kn, &link);
	if (!watched || scope) {
		bpf_map_update_elem(&scope_cache, &kn_id, &scope, BPF_ANY);
		if (!scope) {
			__u64 *slot = unwatched_slot(kn_id);

			if (slot)
				*(volatile __u64 *)slot = kn_id;
		}
		return scope;
	}
	return any_sysfs ? MDEVVER_F_SCOPE_OTHER : 0;
}

static __always_inline __u32 attr_scope_id(struct kernfs_node *kn, __u64 kn_id)
{
	if (known_unwatched(kn_id))
		return 0;
	return watched_scope((__u64)kn, kn_id);
}

static __always_inline __u32 attr_scope(struct kernfs_node *kn)
{
	return attr_scope_id(kn, BPF_CORE_READ(kn, id));
}

/* v[class of op] += n (atomically; counters by class). */
static __always_inline void count_class(__s64 *v, __u8 op, __s64 n)
{
	if (op == MDEVVER_OP_CHECK)
		__sync_fetch_and_add(&v[MDEVVER_CLASS_CHECK], n);
	else
		__sync_fetch_and_add(&v[MDEVVER_CLASS_READ], n);
}

/* ---- the thread table (maps.bpf.h thread_slots) ------------------------ */

/* A class's table holds only calls of that class (maps.bpf.h thread_slots:
 * a reader never takes a check's slot). */
static __always_inline __u32 op_class(__u8 op)
{
	return op == MDEVVER_OP_CHECK ? MDEVVER_CLASS_CHECK : MDEVVER_CLASS_READ;
}

/* Slot i (modulo the table) of class cls's table. */
static __always_inline struct thread_slot *thread_slot_at(__u32 cls, __u32 i)
{
	__u32 idx = (cls & 1) * MDEVVER_THREAD_SLOTS + (i & (MDEVVER_THREAD_SLOTS - 1));

	return bpf_map_lookup_elem(&thread_slots, &idx);
}

static __always_inline __u32 current_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

/* The slot the thread owns in its window of class cls's table (busy: only
 * with a call in flight), or NULL. */
static __always_inline struct thread_slot *own_slot(__u32 cls, __u32 tid, bool busy)
{
	for (int i = 0; i < MDEVVER_THREAD_PROBES; i++) {
		struct thread_slot *ts = thread_slot_at(cls, tid + i);
		__u64 w;

		if (!ts)
			return NULL;
		w = *(volatile __u64 *)&ts->claim;
		if ((__u32)(w >> 32) == tid && (!busy || (w & SLOT_BUSY)))
			return ts;
	}
	return NULL;
}

/* A new owner's slot: nothing of the last owner's runs or scope holds. */
static __always_inline void slot_reset(struct thread_slot *ts)
{
	ts->scope_check = 0;
	ts->runs.run.gen = 0;
	ts->runs.run.next_gen = 0;
}

/*
 * Take a slot of class cls's table for a call of thread tid: its own (a
 * busy one is a call whose exit program never ran: not delivered, counted
 * in its class), else the first in its window that is not busy.  NULL:
 * every slot of the window busy, or lost to another thread's claim at the
 * same moment (the caller counts the call untracked).
 */
static __always_inline struct thread_slot *slot_claim(__u32 cls, __u32 tid)
{
	struct thread_slot *spare = NULL;
	__u64 spare_w = 0;

	for (int i = 0; i < MDEVVER_THREAD_PROBES; i++) {
		struct thread_slot *ts = thread_slot_at(cls, tid + i);
		__u64 w;

		if (!ts)
			return NULL;
		w = *(volatile __u64 *)&ts->claim;
		if ((__u32)(w >> 32) == tid) {
			if (w & SLOT_BUSY) {
				count_class((__s64 *)exit_unseen, ts->call.op, 1);
				count_class(open_calls, ts->call.op, -1);
				return ts;
			}
			if (__sync_val_compare_and_swap(&ts->claim, w, w | SLOT_BUSY) == w)
				return ts;
			continue;	/* taken from under us */
		}
		if (!spare && !(w & SLOT_BUSY)) {
			spare = ts;
			spare_w = w;
		}
	}
	if (!spare)
		return NULL;
	if (__sync_val_compare_and_swap(&spare->claim, spare_w,
					((__u64)tid << 32) | SLOT_BUSY) != spare_w)
		return NULL;
	slot_reset(spare);
	return spare;
}

/* The thread's call begins in its (claimed, busy) slot. */
static __always_inline void slot_begin(struct thread_slot *ts, __u8 op, __u32 scope,
				       const void *target,
				       struct kernfs_node *node, __u64 node_id,
				       const void *buf, __u64 count,
				       __u64 start_pos, __u8 vectored)
{
	__builtin_memset(&ts->call, 0, sizeof(ts->call));
	ts->call.start_ns = bpf_ktime_get_ns();
	ts->call.target = target;
	ts->call.node = node;
	ts->call.node_id = node_id;
	ts->call.buf = buf;
	ts->call.count = count;
	ts->call.start_pos = start_pos;
	ts->call.flags = scope;
	ts->call.op = op;
	ts->call.vectored = vectored;
	count_class(open_calls, op, 1);
}

/* The call begins in a slot its thread claims; a call that finds none is
 * counted untracked. */
static __always_inline void begin_call(__u8 op, __u32 scope, const void *target,
				       struct kernfs_node *node, __u64 node_id,
				       const void *buf, __u64 count,
				       __u64 start_pos, __u8 vectored)
{
	struct thread_slot *ts = slot_claim(op_class(op), current_tid());

	if (!ts) {
		count_class((__s64 *)untracked, op, 1);
		return;
	}
	slot_begin(ts, op, scope, target, node, node_id, buf, count, start_pos,
		   vectored);
}

/* The thread's call of op's class in flight (NULL: none). */
static __always_inline struct inflight *current_call(__u8 op)
{
	struct thread_slot *ts = own_slot(op_class(op), current_tid(), true);

	return ts ? &ts->call : NULL;
}

/*
 * The call's exit is done.  s: what current_call() or call_at_exit()
 * returned, the slot's own call (struct thread_slot starts with it).
 */
static __always_inline void end_call(__u8 op, struct inflight *s)
{
	struct thread_slot *ts = (struct thread_slot *)s;
	__u64 w = *(volatile __u64 *)&ts->claim;

	/* only the owner clears BUSY; nobody claims a busy slot */
	if (w & SLOT_BUSY) {
		*(volatile __u64 *)&ts->claim = w & ~SLOT_BUSY;
		count_class(open_calls, op, -1);
	}
}

/* -x: keep only checks the driver refused and reads that failed. */
static __always_inline bool outcome_wanted(__u8 op, __s64 ret, __u64 count)
{
	if (!failed_only)
		return true;
	if (op == MDEVVER_OP_CHECK)
		return ret < 0 || (__u64)ret != count;
	return ret < 0;
}

/* --- vendor layer: the driver's own string and verdict ------------------ */

/* Strings up to this long (with their NUL) are measured by one copy and a
 * scan here; longer ones by the kernel's byte-by-byte string copy. */
#define VENDOR_SCAN_MAX	256

static __always_inline void note_vendor_local(struct inflight *s,
					      const char *buf, __s64 len)
{
	struct vendor_text *vt;
	__u64 n;

	if (len <= 0)
		return;
	vt = vendor_text_claim(s);
	if (!vt)
		return;
	if (len > MDEVVER_LOCAL_MAX)
		s->flags |= MDEVVER_F_LOCAL_TRUNCATED;
	n = len;
	/* keep the clamp visible to the verifier (clang folds it otherwise) */
	barrier_var(n);
	if (n > MDEVVER_LOCAL_MAX)
		n = MDEVVER_LOCAL_MAX;
	if (bpf_probe_read_kernel(vt->local, n, buf))
		return;
	s->local_len = n;
	s->flags |= MDEVVER_F_LOCAL;
}

/* get_version()'s entry: where the driver writes the device's string.
 * Only a read uses it (show_end: the read's text is that string when the
 * driver wrote into the read's buffer); a check takes its self from
 * check_version(). */
static __always_inline void note_vendor_buf(const char *buf)
{
	struct inflight *s = current_call(MDEVVER_OP_READ);

	if (s)
		s->vendor_buf = buf;
}

/*
 * Where the first NUL is among the first limit bytes of p (8-aligned,
 * VENDOR_SCAN_MAX bytes readable): -1 when there is none.  A word at a
 * time: z = (v - 0x01..) & ~v & 0x80.. is non-zero exactly when v has a
 * zero byte, and its lowest set bit marks the first one (a borrow can set
 * bits only above a zero byte); that bit's byte index is read off by a
 * multiplication (the bit isolated, moved to bit 0 of its byte, times
 * 0x0001020304050607: byte k lands in the top byte as k), not by a loop
 * over the word's bytes.
 */
static __always_inline long first_nul(const char *p, __u64 limit)
{
	const __u64 *w = (const __u64 *)p;

	for (int i = 0; i < VENDOR_SCAN_MAX / 8; i++) {
		__u64 v, z, at;

		if ((__u64)i * 8 >= limit)
			break;
		v = w[i];
		z = (v - 0x0101010101010101ull) & ~v & 0x8080808080808080ull;
		if (!z)
			continue;
		at = (__u64)i * 8 +
		     ((((z & -z) >> 7) * 0x0001020304050607ull) >> 56);
		return at < limit ? (long)at : -1;
	}
	return -1;
}

/*
 * strlen(src) when src's string and its NUL lie within its first hint
 * bytes (hint <= VENDOR_SCAN_MAX), its bytes copied to dst; else -1.
 * One copy of hint bytes instead of a byte-by-byte string copy.  Exact
 * whatever the hint: the bytes before the string's NUL are the string's
 * own; a read past its end that faults, or a hint too short, finds no NUL
 * and the caller copies the string the slow way.
 */
static __always_inline long measured_copy(char *dst, const char *src, __u64 hint)
{
	__u64 n = hint;

	barrier_var(n);
	if (n > VENDOR_SCAN_MAX || n == 0)
		return -1;
	if (bpf_probe_read_kernel(dst, n, src))
		return -1;
	return first_nul(dst, n);
}

/*
 * self and remote are NUL-terminated strings of the driver: self the
 * buffer get_version() filled, remote kstrndup() of the store's count
 * bytes.  Each costs one copy, with the store's count as the hint: a
 * remote has at most count bytes, and a self that a check can find
 * compatible has its length (the string a read of the attribute gives,
 * then its newline).  A longer self costs a second copy, a string longer
 * than VENDOR_SCAN_MAX the kernel's byte-by-byte copy.  The recorded facts
 * are what the kernel's string copy would give (local_len and remote_len:
 * strlen, at most MDEVVER_LOCAL_MAX - 1).
 */
static __always_inline void note_vendor_strings(struct inflight *s,
						const char *self,
						const char *remote)
{
	struct vendor_text *vt = vendor_text_claim(s);
	__u64 hint = s->op == MDEVVER_OP_CHECK ? s->count + 1 : 0;
	long n;

	if (!vt)
		return;
	n = measured_copy(vt->local, self, hint);
	if (n < 0)
		n = measured_copy(vt->local, self, VENDOR_SCAN_MAX);
	if (n >= 0) {
		s->local_len = n;
		s->flags |= MDEVVER_F_LOCAL;
	} else {
		n = bpf_probe_read_kernel_str(vt->local, MDEVVER_LOCAL_MAX, self);
		if (n > 0) {
			s->local_len = n - 1;
			s->flags |= MDEVVER_F_LOCAL;
			if (n == MDEVVER_LOCAL_MAX)
				s->flags |= MDEVVER_F_LOCAL_TRUNCATED;
		}
	}
	n = measured_copy(vt->remote, remote, hint);
	if (n < 0) {
		n = bpf_probe_read_kernel_str(vt->remote, MDEVVER_LOCAL_MAX, remote);
		n = n > 0 ? n - 1 : 0;
	}
	s->vendor_remote_len = n;
}

static __always_inline void note_vendor_result(struct inflight *s, __s64 ret)
{
	s->vendor_ret = ret;
	s->flags |= MDEVVER_F_VENDOR_CHECK;
}

/* --- building the event (delivery.bpf.h reserves and sends it) ---------- */

static __always_inline void fill_task(struct mdevver_event *e)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	__u64 ugid = bpf_get_current_uid_gid();

	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)ugid;
	e->gid = ugid >> 32;
	e->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

/* Names from the attribute up to (not including) the sysfs root. */
static __always_inline void fill_path(struct mdevver_event *e,
				      struct kernfs_node *kn)
{
	__u8 depth = 0;

	for (int i = 0; i < MDEVVER_PATH_DEPTH; i++) {
		struct kernfs_node *parent;
		const char *name;
		long n;

		if (!kn)
			break;
		parent = kn_parent(kn);
		if (!parent)
			break;	/* kn is the root of this sysfs: not a component */
		name = BPF_CORE_READ(kn, name);
		n = bpf_probe_read_kernel_str(e->path[i], MDEVVER_NAME_MAX, name);
		if (n < 0) {
			e->path[i][0] = '\0';
		} else if (n == MDEVVER_NAME_MAX) {
			char next = 0;

			/* a name of exactly NAME_MAX-1 bytes fits; a longer one not */
			bpf_probe_read_kernel(&next, 1, name + MDEVVER_NAME_MAX - 1);
			if (next)
				e->flags |= MDEVVER_F_PATH_TRUNCATED;
		}
		depth++;
		kn = parent;
	}
	if (kn && kn_parent(kn))
		e->flags |= MDEVVER_F_PATH_TRUNCATED;
	e->path_depth = depth;
}

static __always_inline void fill_local(struct mdevver_event *e,
				       struct inflight *s)
{
	__u32 zero = 0;
	struct vendor_text *vt = bpf_map_lookup_elem(&vendor_texts, &zero);
	__u64 n = s->local_len;

	if (!vt || vt->owner != bpf_get_current_pid_tgid() ||
	    vt->start_ns != s->start_ns) {
		/* preempted by another traced call: not ours any more */
		e->flags &= ~(MDEVVER_F_LOCAL | MDEVVER_F_LOCAL_TRUNCATED);
		return;
	}
	barrier_var(n);
	if (n > MDEVVER_LOCAL_MAX)
		n = MDEVVER_LOCAL_MAX;
	if (bpf_probe_read_kernel(e->local, n, vt->local)) {
		e->flags &= ~MDEVVER_F_LOCAL;
		return;
	}
	e->local_len = n;
}

/* Everything but path and data: task, timing, result, vendor view. */
static __always_inline void fill_common(struct mdevver_event *e,
					struct inflight *s, __u8 mode,
					__s64 ret, __u64 count)
{
	e->kind = MDEVVER_REC_EVENT;
	e->ts_ns = bpf_ktime_get_ns();
	e->latency_ns = e->ts_ns - s->start_ns;
	e->node_id = 0;
	e->run_slot = 0;
	e->run_gen = 0;
	e->__pad2 = 0;
	fill_task(e);
	e->ret = ret;
	e->count = count;
	e->op = s->op;
	e->mode = mode;
	e->flags = s->flags;
	e->vendor_ret = s->vendor_ret;
	e->vendor_remote_len = s->vendor_remote_len;
	e->__pad = 0;
	e->verdict = 0;		/* delivery.bpf.h: the call's verdict */
	e->policy_gen = 0;
	e->fail_closed = 0;
	e->rule_id = 0;
	e->local_len = 0;
	if (s->flags & MDEVVER_F_LOCAL)
		fill_local(e, s);
}

/* Copy up to DATA_MAX bytes; user says whether buf is a user pointer. */
static __always_inline void fill_data(struct mdevver_event *e,
				      const void *buf, __u64 len, bool user)
{
	__u64 n = len;
	long err;

	barrier_var(n);
	if (n > MDEVVER_DATA_MAX)
		n = MDEVVER_DATA_MAX;

	if (len > MDEVVER_DATA_MAX)
		e->flags |= MDEVVER_F_DATA_TRUNCATED;
	if (!n) {
		e->data_len = 0;
		return;
	}
	err = user ? bpf_probe_read_user(e->data, n, buf)
		   : bpf_probe_read_kernel(e->data, n, buf);
	if (err) {
		e->flags |= MDEVVER_F_DATA_UNREADABLE;
		n = 0;
	}
	e->data_len = n;
}

#endif /* MDEVVER_CAPTURE_BPF_H */
