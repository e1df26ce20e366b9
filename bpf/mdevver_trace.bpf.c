// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * mdevver_trace.bpf.c - where a sysfs read or write of an mdev version
 * attribute becomes an event.
 *
 * Three attach modes, one object; user space enables exactly one set of
 * programs (bpf_program__set_autoload) and falls back to the next mode when
 * loading or attaching fails:
 *
 *   fentry   fentry/fexit on sysfs_kf_write (store = check) and
 *            sysfs_kf_seq_show (show = read), plus the i915 gvt vendor
 *            functions where the kernel or a module has them.
 *   kprobe   the same functions through kprobe/kretprobe.
 *   syscall  tracepoints on write/pwrite64/writev/read/pread64, keeping only
 *            file descriptors that are sysfs files with a watched name.
 *
 * All modes funnel into capture.bpf.h, so they produce identical events
 * wherever the information exists (syscall mode cannot see the vendor layer).
 *
 * Every finished call goes through deliver_call(): one event in the ring of
 * its class, or one more repeat of its thread's run (delivery.bpf.h).
 *
 * Enforcement (policy.bpf.h) adds the BPF LSM program on file_permission,
 * which refuses a denied check or read before it reaches the driver, and a
 * re-check of the kernel's own copy of the bytes at the store.
 */
#include "delivery.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* ------------------------------------------------------------------------
 * Enforcement: verdicts for events, the store-time re-check, learning.
 * ---------------------------------------------------------------------- */

static __always_inline void set_verdict(struct mdevver_event *e,
					struct judge *j, int gen, bool dry_run)
{
	if (j->best_action == MDEVVER_ACT_NONE)
		return;
	if (j->best_action == MDEVVER_ACT_DENY)
		e->verdict = dry_run ? MDEVVER_VERDICT_WOULD_DENY
				     : MDEVVER_VERDICT_DENIED;
	else
		e->verdict = MDEVVER_VERDICT_AUDIT;
	e->rule_id = j->best_id;
	e->policy_gen = gen;
	e->unknown = j->best_unknown;
}

/*
 * Dry run: judge at the trace point, with the bytes the call really carried
 * (enforcing, the permission hook judged already: delivery.bpf.h's
 * take_verdict() reports its decision).
 */
static __always_inline void policy_for_event(struct mdevver_event *e,
					     struct kernfs_node *kn, __u8 op)
{
	struct judge *j;
	__u64 flags, n;
	int gen;

	gen = policy_enter();
	if (gen < 0)
		return;
	flags = gen_flags(gen);
	if (!(flags & MDEVVER_GEN_LOADED) ||
	    (op == MDEVVER_OP_READ && !(flags & MDEVVER_GEN_READ_RULES)))
		goto out;
	j = judge_claim();
	if (!j)
		goto out;
	judge_gen(j, gen);
	if (op == MDEVVER_OP_CHECK) {
		if (e->flags & MDEVVER_F_DATA_UNREADABLE) {
			remote_unknown(j, MDEVVER_UNK_REMOTE_FAULT);
		} else if (e->flags & MDEVVER_F_DATA_TRUNCATED) {
			remote_unknown(j, MDEVVER_UNK_REMOTE_LONG);
		} else {
			n = e->data_len;
			barrier_var(n);
			if (n > MDEVVER_DATA_MAX)
				n = MDEVVER_DATA_MAX;
			if (n && bpf_probe_read_kernel(j->bytes, n, e->data))
				remote_unknown(j, MDEVVER_UNK_REMOTE_FAULT);
			else
				remote_known(j, n);
		}
	}
	if (!judge_call(j->self, (__u64)kn, op))
		goto release;
	set_verdict(e, j, gen, true);
release:
	judge_release(j);
out:
	policy_exit(gen);
}

/* Did the permission hook refuse this call (and report it)? */
static __always_inline bool denied_by_hook(struct kernfs_node *kn)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct decision *d = bpf_map_lookup_elem(&decisions, &id);
	bool denied = d && d->kn == kn && d->verdict == MDEVVER_VERDICT_DENIED;

	if (denied)
		bpf_map_delete_elem(&decisions, &id);
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
					  __u64 kn_id, const char *buf, __u64 count)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct decision *d;
	struct kernfs_node *kn;
	struct inflight *s;
	struct judge *j;
	int gen;

	if (enforce_mode() != MDEVVER_ENFORCE_ON)
		return;
	if (!(store_scope(of, kn_id) & MDEVVER_F_SCOPE_MDEV))
		return;
	kn = BPF_CORE_READ(of, kn);
	gen = policy_enter();
	if (gen < 0)
		return;
	if (!(gen_flags(gen) & MDEVVER_GEN_CONTENT))
		goto out;
	j = judge_claim();
	if (!j)
		goto out;
	judge_gen(j, gen);
	judge_remote_kernel(j, buf, count);
	/* the very bytes the permission hook judged on this node, under
	 * this generation: the same verdict, nothing to do */
	d = bpf_map_lookup_elem(&decisions, &id);
	if (d && d->kn == kn && d->gen == gen && d->remote_known &&
	    (j->known & MDEVVER_RK_REMOTE) && d->remote_hash == j->remote_hash)
		goto release;
	if (!judge_call(j->self, (__u64)kn, MDEVVER_OP_CHECK))
		goto release;
	if (j->best_action != MDEVVER_ACT_DENY)
		goto release;
	bpf_send_signal(9 /* SIGKILL */);
	s = current_call();
	if (s) {
		s->verdict = MDEVVER_VERDICT_KILLED;
		s->rule_id = j->best_id;
		s->policy_gen = gen;
		s->unknown = j->best_unknown;
	}
release:
	judge_release(j);
out:
	policy_exit(gen);
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
 * judges with the event's own bytes and is never coalesced.
 *
 * Verifier cost: nothing decided by a branch before the event is filled
 * (class, run, dry run) stays live across fill_path()/fill_data(); it is
 * written into the event first and read back afterwards, so the paths
 * merge again before the expensive part.
 */
static __always_inline void deliver_call(struct inflight *s, __u8 mode,
					 __s64 ret, __u64 count,
					 struct kernfs_node *kn,
					 const void *src, bool user)
{
	struct verdict_facts v = {};
	struct mdevver_event *e;
	__u64 total = 0;

	/* adoption: a newer instance's programs see this call too and
	 * deliver it; ours must not touch the shared rings and slots */
	if (state_get(MDEVVER_STATE_INSTANCE) != instance_id)
		return;
	take_verdict(s, kn, &v);
	if (run_begin(s, kn, mode, ret, count, src, user, &v))
		return;		/* one more repeat of the thread's run */
	e = reserve_event(class_of(s->op));
	if (!e) {
		run_abort(s->op);	/* counted lost: it starts no run */
		return;
	}
	fill_common(e, s, mode, ret, count);
	apply_verdict(e, &v);
	e->node_id = BPF_CORE_READ(kn, id);
	fill_path(e, kn);
	if (s->vectored) {
		fill_data_iov(e, src, s->count, &total);
		e->count = total;
	} else {
		fill_data(e, src, count, user);
	}
	if (enforce_mode() == MDEVVER_ENFORCE_DRY_RUN)
		policy_for_event(e, kn, e->op);
	run_end(e);
	ring_submit(class_of(e->op), e);
}

/* ------------------------------------------------------------------------
 * Generic layer: the sysfs store/show dispatch in fs/sysfs/file.c.
 * ---------------------------------------------------------------------- */

/* kn_id: of->kn->id, read by the entry point (fentry reads it directly). */
static __always_inline void store_begin(struct kernfs_open_file *of, __u64 kn_id,
					const char *buf, __u64 count)
{
	__u32 scope;

	if (task_wanted() && (scope = store_scope(of, kn_id)))
		begin_call(MDEVVER_OP_CHECK, scope, of, buf, count, 0, 0);
	store_recheck(of, kn_id, buf, count);
}

/* have_args: the exit program has the store's arguments (fexit). */
static __always_inline void store_end(__u8 mode, __s64 ret, bool have_args,
				      struct kernfs_open_file *of_arg,
				      const char *buf_arg, __u64 count_arg)
{
	struct kernfs_open_file *of;
	struct inflight *s;

	if (none_in_flight(MDEVVER_CLASS_CHECK))
		return;
	s = call_at_exit(MDEVVER_OP_CHECK, have_args, of_arg, buf_arg, count_arg,
			 have_args ? BPF_CORE_READ(of_arg, kn) : NULL);
	if (!s)
		return;
	if (outcome_wanted(MDEVVER_OP_CHECK, ret, s->count)) {
		of = (struct kernfs_open_file *)s->arg0;
		deliver_call(s, mode, ret, s->count, BPF_CORE_READ(of, kn),
			     s->buf, false);
	}
	end_call(MDEVVER_OP_CHECK);
}

static __always_inline void show_begin(struct seq_file *sf)
{
	struct kernfs_open_file *of;
	__u32 scope;

	if (!task_wanted())
		return;
	of = BPF_CORE_READ(sf, private);
	scope = attr_scope(BPF_CORE_READ(of, kn));
	if (!scope)
		return;
	begin_call(MDEVVER_OP_READ, scope, sf, NULL, 0, BPF_CORE_READ(sf, count), 0);
}

/* sysfs_kf_seq_show returns 0 or -errno; the text is what it added to sf. */
/* sysfs_kf_seq_show returns 0 or -errno; the text is what it added to sf.
 * A call rebuilt at its exit (entry skipped) takes the buffer from its
 * start: a sysfs show fills a fresh seq_file buffer. */
static __always_inline void show_end(__u8 mode, int err, bool have_args,
				     struct seq_file *sf_arg)
{
	struct kernfs_open_file *of = NULL;
	struct inflight *s;
	struct seq_file *sf;
	__u64 len = 0, now, start;
	char *text;

	if (none_in_flight(MDEVVER_CLASS_READ))
		return;
	if (have_args)
		of = BPF_CORE_READ(sf_arg, private);
	s = call_at_exit(MDEVVER_OP_READ, have_args, sf_arg, NULL, 0,
			 have_args ? BPF_CORE_READ(of, kn) : NULL);
	if (!s)
		return;
	sf = (struct seq_file *)s->arg0;
	start = s->seq_start;
	if (!err) {
		now = BPF_CORE_READ(sf, count);
		len = now > start ? now - start : 0;
	}
	of = BPF_CORE_READ(sf, private);
	text = BPF_CORE_READ(sf, buf) + start;
	if (!err)
		learn_local(BPF_CORE_READ(of, kn), text, len);
	if (outcome_wanted(MDEVVER_OP_READ, err, len))
		deliver_call(s, mode, err ? err : (__s64)len, len,
			     BPF_CORE_READ(of, kn), text, false);
	end_call(MDEVVER_OP_READ);
}

SEC("fentry/sysfs_kf_write")
int BPF_PROG(fentry_sysfs_kf_write, struct kernfs_open_file *of, char *buf,
	     size_t count, loff_t pos)
{
	/* of is a BTF pointer here: plain loads, no probe-read helper call
	 * (what every sysfs write on the host pays) */
	store_begin(of, of->kn->id, buf, count);
	return 0;
}

SEC("fexit/sysfs_kf_write")
int BPF_PROG(fexit_sysfs_kf_write, struct kernfs_open_file *of, char *buf,
	     size_t count, loff_t pos, ssize_t ret)
{
	store_end(MDEVVER_MODE_FENTRY, ret, true, of, buf, count);
	return 0;
}

SEC("fentry/sysfs_kf_seq_show")
int BPF_PROG(fentry_sysfs_kf_seq_show, struct seq_file *sf, void *v)
{
	show_begin(sf);
	return 0;
}

SEC("fexit/sysfs_kf_seq_show")
int BPF_PROG(fexit_sysfs_kf_seq_show, struct seq_file *sf, void *v, int ret)
{
	show_end(MDEVVER_MODE_FENTRY, ret, true, sf);
	return 0;
}

SEC("kprobe/sysfs_kf_write")
int BPF_KPROBE(kprobe_sysfs_kf_write, struct kernfs_open_file *of, char *buf,
	       size_t count)
{
	store_begin(of, BPF_CORE_READ(of, kn, id), buf, count);
	return 0;
}

SEC("kretprobe/sysfs_kf_write")
int BPF_KRETPROBE(kretprobe_sysfs_kf_write, ssize_t ret)
{
	store_end(MDEVVER_MODE_KPROBE, ret, false, NULL, NULL, 0);
	return 0;
}

SEC("kprobe/sysfs_kf_seq_show")
int BPF_KPROBE(kprobe_sysfs_kf_seq_show, struct seq_file *sf)
{
	show_begin(sf);
	return 0;
}

SEC("kretprobe/sysfs_kf_seq_show")
int BPF_KRETPROBE(kretprobe_sysfs_kf_seq_show, int ret)
{
	show_end(MDEVVER_MODE_KPROBE, ret, false, NULL);
	return 0;
}

/* ------------------------------------------------------------------------
 * Vendor layer: i915 gvt (the seed patch).  These run inside a traced
 * store/show of the same thread, so they only annotate its inflight state.
 * ---------------------------------------------------------------------- */

SEC("fexit/intel_gvt_get_vfio_device_version")
int BPF_PROG(fexit_gvt_get_version, void *dev_priv, char *buf,
	     const char *mdev_type, ssize_t ret)
{
	struct inflight *s = current_call();

	if (s)
		note_vendor_local(s, buf, ret);
	return 0;
}

SEC("fexit/intel_gvt_check_vfio_device_version")
int BPF_PROG(fexit_gvt_check_version, void *dev_priv, const char *self,
	     const char *remote, ssize_t ret)
{
	struct inflight *s = current_call();

	if (!s)
		return 0;
	note_vendor_strings(s, self, remote);
	note_vendor_result(s, ret);
	return 0;
}

SEC("kprobe/intel_gvt_get_vfio_device_version")
int BPF_KPROBE(kprobe_gvt_get_version, void *dev_priv, char *buf)
{
	struct inflight *s = current_call();

	if (s)
		s->vendor_buf = buf;
	return 0;
}

SEC("kretprobe/intel_gvt_get_vfio_device_version")
int BPF_KRETPROBE(kretprobe_gvt_get_version, ssize_t ret)
{
	struct inflight *s = current_call();

	if (s && s->vendor_buf)
		note_vendor_local(s, s->vendor_buf, ret);
	return 0;
}

SEC("kprobe/intel_gvt_check_vfio_device_version")
int BPF_KPROBE(kprobe_gvt_check_version, void *dev_priv, const char *self,
	       const char *remote)
{
	struct inflight *s = current_call();

	if (s)
		note_vendor_strings(s, self, remote);
	return 0;
}

SEC("kretprobe/intel_gvt_check_vfio_device_version")
int BPF_KRETPROBE(kretprobe_gvt_check_version, ssize_t ret)
{
	struct inflight *s = current_call();

	if (s)
		note_vendor_result(s, ret);
	return 0;
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
	if ((BPF_CORE_READ(kn, flags) & KERNFS_TYPE_MASK) !=
	    bpf_core_enum_value(enum kernfs_node_type, KERNFS_FILE))
		return;
	scope = attr_scope(kn);
	if (!scope)
		return;
	begin_call(op, scope, kn, buf, count, BPF_CORE_READ(f, f_pos), vectored);
}

static __always_inline void sys_end(long ret)
{
	struct inflight *s;
	__u64 count;
	__u8 op;

	if (none_in_flight(MDEVVER_CLASS_CHECK) && none_in_flight(MDEVVER_CLASS_READ))
		return;
	s = current_call();
	if (!s)
		return;
	op = s->op;
	/* a read at EOF (offset > 0, nothing left) is the tail of a read
	 * already reported, not a new one */
	if (s->op == MDEVVER_OP_READ && ret == 0 && s->seq_start > 0)
		goto out;
	count = s->op == MDEVVER_OP_READ ? (ret > 0 ? ret : 0) : s->count;
	if (!outcome_wanted(s->op, ret, count))
		goto out;
	if (ret == -EPERM && denied_by_hook((struct kernfs_node *)s->arg0))
		goto out;	/* the permission hook reported this call */
	if (ret == -ENOBUFS && strict && s->op == MDEVVER_OP_CHECK)
		goto out;	/* refused unrecorded by --strict (counted) */
	deliver_call(s, MDEVVER_MODE_SYSCALL, ret, count,
		     (struct kernfs_node *)s->arg0, s->buf, true);
out:
	end_call(op);
}

SEC("tracepoint/syscalls/sys_enter_write")
int sys_enter_write(struct trace_event_raw_sys_enter *ctx)
{
	sys_begin(MDEVVER_OP_CHECK, ctx->args[0], (void *)ctx->args[1],
		  ctx->args[2], 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_pwrite64")
int sys_enter_pwrite64(struct trace_event_raw_sys_enter *ctx)
{
	sys_begin(MDEVVER_OP_CHECK, ctx->args[0], (void *)ctx->args[1],
		  ctx->args[2], 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_writev")
int sys_enter_writev(struct trace_event_raw_sys_enter *ctx)
{
	sys_begin(MDEVVER_OP_CHECK, ctx->args[0], (void *)ctx->args[1],
		  ctx->args[2], 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int sys_enter_read(struct trace_event_raw_sys_enter *ctx)
{
	sys_begin(MDEVVER_OP_READ, ctx->args[0], (void *)ctx->args[1],
		  ctx->args[2], 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_pread64")
int sys_enter_pread64(struct trace_event_raw_sys_enter *ctx)
{
	sys_begin(MDEVVER_OP_READ, ctx->args[0], (void *)ctx->args[1],
		  ctx->args[2], 0);
	return 0;
}

/* One exit handler per syscall: the tracepoint names differ, the work not. */
SEC("tracepoint/syscalls/sys_exit_write")
int sys_exit_write(struct trace_event_raw_sys_exit *ctx)
{
	sys_end(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_pwrite64")
int sys_exit_pwrite64(struct trace_event_raw_sys_exit *ctx)
{
	sys_end(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_writev")
int sys_exit_writev(struct trace_event_raw_sys_exit *ctx)
{
	sys_end(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int sys_exit_read(struct trace_event_raw_sys_exit *ctx)
{
	sys_end(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_pread64")
int sys_exit_pread64(struct trace_event_raw_sys_exit *ctx)
{
	sys_end(ctx->ret);
	return 0;
}

/* ------------------------------------------------------------------------
 * Enforcement: the BPF LSM hook every read and write of a file passes
 * (rw_verify_area: read, write, pwrite, readv/writev, pwritev, io_uring,
 * splice, sendfile).  It works on the kernfs node, so a symlink or a
 * second sysfs mount reaches the same decision.
 * ---------------------------------------------------------------------- */

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

static __always_inline void emit_denied(struct judge *j, struct kernfs_node *kn,
					int gen)
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
	set_verdict(e, j, gen, false);
	ring_submit(class_of(j->op), e);
}

/* No scratch slot was free: refused without a judgement, and said so. */
static __always_inline void emit_refused_unjudged(struct kernfs_node *kn, __u8 op,
						  __u32 scope, int gen)
{
	struct mdevver_event *e = lsm_event(kn, op, scope);

	if (!e)
		return;
	e->flags |= MDEVVER_F_DATA_UNREADABLE;
	e->verdict = MDEVVER_VERDICT_DENIED;
	e->rule_id = MDEVVER_RULE_NONE;
	e->policy_gen = gen;
	e->unknown = MDEVVER_UNK_PREEMPTED;
	ring_submit(class_of(op), e);
}

SEC("lsm/file_permission")
int BPF_PROG(lsm_file_permission, struct file *file, int mask, int ret)
{
	__u64 id = bpf_get_current_pid_tgid(), flags;
	struct decision d = {}, *prev;
	struct kernfs_node *kn;
	struct inode *inode;
	struct judge *j = NULL;
	int gen, verdict = 0;
	bool keep = false;
	__u32 scope;
	__u8 op;

	if (ret)
		return ret;
	if (!(mask & (MAY_WRITE | MAY_READ)))
		return 0;
	/* every file access on the host comes here: file is a BTF pointer,
	 * so plain loads (no probe-read helper calls) decide "not sysfs" */
	inode = file->f_inode;
	if (inode->i_sb->s_magic != SYSFS_MAGIC)
		return 0;
	if (enforce_mode() != MDEVVER_ENFORCE_ON)
		return 0;
	kn = BPF_CORE_READ(inode, i_private);
	if ((BPF_CORE_READ(kn, flags) & KERNFS_TYPE_MASK) !=
	    bpf_core_enum_value(enum kernfs_node_type, KERNFS_FILE))
		return 0;
	/* what the policy judges, and only that (scope.bpf.h) */
	scope = attr_scope(kn) & MDEVVER_F_SCOPE_MDEV;
	if (!scope)
		return 0;
	op = mask & MAY_WRITE ? MDEVVER_OP_CHECK : MDEVVER_OP_READ;
	/* a decision this thread left behind (its call never reached the
	 * store): give back the ring space promised to it */
	prev = bpf_map_lookup_elem(&decisions, &id);
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
	gen = policy_enter();
	if (gen < 0) {
		verdict = -EPERM;	/* cannot happen; if it did, fail closed */
		goto done;
	}
	flags = gen_flags(gen);
	if (!(flags & MDEVVER_GEN_LOADED) ||
	    (op == MDEVVER_OP_READ && !(flags & MDEVVER_GEN_READ_RULES)))
		goto out;
	j = judge_claim();
	if (!j) {
		/* every slot we tried is busy: fail closed, and say so */
		emit_refused_unjudged(kn, op, scope, gen);
		verdict = -EPERM;
		goto out;
	}
	judge_gen(j, gen);
	if (op == MDEVVER_OP_CHECK && (flags & MDEVVER_GEN_CONTENT))
		judge_remote_syscall(j, file);
	if (!judge_call(j->self, (__u64)kn, op))
		goto release;
	if (j->best_action != MDEVVER_ACT_NONE ||
	    (op == MDEVVER_OP_CHECK && (flags & MDEVVER_GEN_CONTENT))) {
		/* audit: the event's verdict; deny: syscall mode sees the
		 * refused call at its exit too and must not report it twice;
		 * the bytes judged: the store re-checks only other bytes */
		d.rule_id = j->best_id;
		d.unknown = j->best_unknown;
		d.verdict = j->best_action == MDEVVER_ACT_DENY ? MDEVVER_VERDICT_DENIED :
			    j->best_action == MDEVVER_ACT_AUDIT ? MDEVVER_VERDICT_AUDIT :
								  MDEVVER_VERDICT_NONE;
		d.gen = gen;
		d.remote_known = !!(j->known & MDEVVER_RK_REMOTE);
		d.remote_hash = j->remote_hash;
		keep = true;
	}
	if (j->best_action == MDEVVER_ACT_DENY) {
		emit_denied(j, kn, gen);
		verdict = -EPERM;
	}
release:
	judge_release(j);
out:
	policy_exit(gen);
done:
	/* refused here: the store never runs, nothing to promise */
	if (verdict && d.strict_admitted) {
		d.strict_admitted = 0;
		strict_release();
	}
	if (keep) {
		d.kn = kn;
		bpf_map_update_elem(&decisions, &id, &d, BPF_ANY);
	} else {
		/* nothing of an earlier call of this thread may stick */
		bpf_map_delete_elem(&decisions, &id);
	}
	return verdict;
}

/* The lifecycle of an mdev device: create, VFIO open/close, migration
 * states (VFIO migration uAPI v2). */
#include "migration.bpf.h"
