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
 */
#include "capture.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MDEVVER_IOV_MAX 8

/* ------------------------------------------------------------------------
 * Generic layer: the sysfs store/show dispatch in fs/sysfs/file.c.
 * ---------------------------------------------------------------------- */

static __always_inline void store_begin(struct kernfs_open_file *of,
					const char *buf, __u64 count)
{
	if (!task_wanted() || !attr_wanted(BPF_CORE_READ(of, kn)))
		return;
	begin_call(MDEVVER_OP_CHECK, of, buf, count, 0, 0);
}

static __always_inline void store_end(__u8 mode, __s64 ret)
{
	struct inflight *s = current_call();
	struct kernfs_open_file *of;
	struct mdevver_event *e;

	if (!s)
		return;
	if (!outcome_wanted(MDEVVER_OP_CHECK, ret, s->count))
		goto out;
	e = reserve_event();
	if (!e)
		goto out;
	of = (struct kernfs_open_file *)s->arg0;
	fill_common(e, s, mode, ret, s->count);
	fill_path(e, BPF_CORE_READ(of, kn));
	fill_data(e, s->buf, s->count, false);
	submit_event(e);
out:
	end_call();
}

static __always_inline void show_begin(struct seq_file *sf)
{
	struct kernfs_open_file *of;

	if (!task_wanted())
		return;
	of = BPF_CORE_READ(sf, private);
	if (!attr_wanted(BPF_CORE_READ(of, kn)))
		return;
	begin_call(MDEVVER_OP_READ, sf, NULL, 0, BPF_CORE_READ(sf, count), 0);
}

/* sysfs_kf_seq_show returns 0 or -errno; the text is what it added to sf. */
static __always_inline void show_end(__u8 mode, int err)
{
	struct inflight *s = current_call();
	struct kernfs_open_file *of;
	struct mdevver_event *e;
	struct seq_file *sf;
	__u64 len = 0, now;
	char *text;

	if (!s)
		return;
	sf = (struct seq_file *)s->arg0;
	if (!err) {
		now = BPF_CORE_READ(sf, count);
		len = now > s->seq_start ? now - s->seq_start : 0;
	}
	if (!outcome_wanted(MDEVVER_OP_READ, err, len))
		goto out;
	e = reserve_event();
	if (!e)
		goto out;
	of = BPF_CORE_READ(sf, private);
	text = BPF_CORE_READ(sf, buf) + s->seq_start;
	fill_common(e, s, mode, err ? err : (__s64)len, len);
	fill_path(e, BPF_CORE_READ(of, kn));
	fill_data(e, text, len, false);
	submit_event(e);
out:
	end_call();
}

SEC("fentry/sysfs_kf_write")
int BPF_PROG(fentry_sysfs_kf_write, struct kernfs_open_file *of, char *buf,
	     size_t count, loff_t pos)
{
	store_begin(of, buf, count);
	return 0;
}

SEC("fexit/sysfs_kf_write")
int BPF_PROG(fexit_sysfs_kf_write, struct kernfs_open_file *of, char *buf,
	     size_t count, loff_t pos, ssize_t ret)
{
	store_end(MDEVVER_MODE_FENTRY, ret);
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
	show_end(MDEVVER_MODE_FENTRY, ret);
	return 0;
}

SEC("kprobe/sysfs_kf_write")
int BPF_KPROBE(kprobe_sysfs_kf_write, struct kernfs_open_file *of, char *buf,
	       size_t count)
{
	store_begin(of, buf, count);
	return 0;
}

SEC("kretprobe/sysfs_kf_write")
int BPF_KRETPROBE(kretprobe_sysfs_kf_write, ssize_t ret)
{
	store_end(MDEVVER_MODE_KPROBE, ret);
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
	show_end(MDEVVER_MODE_KPROBE, ret);
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

static __always_inline struct file *fd_file(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *f = NULL;

	if (fd < 0 || (unsigned long)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

static __always_inline void sys_begin(__u8 op, long fd, const void *buf,
				      __u64 count, __u8 vectored)
{
	struct kernfs_node *kn;
	struct inode *inode;
	struct file *f;

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
	if (!attr_wanted(kn))
		return;
	begin_call(op, kn, buf, count, BPF_CORE_READ(f, f_pos), vectored);
}

/* writev: gather up to MDEVVER_IOV_MAX pieces into data[]. */
static __always_inline void fill_data_iov(struct mdevver_event *e,
					  const struct iovec *vec, __u64 iovcnt,
					  __u64 *total)
{
	__u64 off = 0;

	*total = 0;
	for (int i = 0; i < MDEVVER_IOV_MAX; i++) {
		struct iovec iov;
		__u64 n, at;

		if ((__u64)i >= iovcnt)
			break;
		if (bpf_probe_read_user(&iov, sizeof(iov), &vec[i])) {
			e->flags |= MDEVVER_F_DATA_UNREADABLE;
			break;
		}
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
		 * inside data[] + local[] for the verifier (inside data[] in
		 * fact, by the clamp above).
		 */
		at = off;
		barrier_var(at);
		barrier_var(n);
		at &= MDEVVER_DATA_MAX - 1;
		if (n > MDEVVER_DATA_MAX)
			n = MDEVVER_DATA_MAX;
		if (bpf_probe_read_user(e->data + at, n, iov.iov_base)) {
			e->flags |= MDEVVER_F_DATA_UNREADABLE;
			break;
		}
		off += n;
	}
	if (iovcnt > MDEVVER_IOV_MAX)
		e->flags |= MDEVVER_F_DATA_TRUNCATED;
	if (*total > off)
		e->flags |= MDEVVER_F_DATA_TRUNCATED;
	e->data_len = off;
}

static __always_inline void sys_end(long ret)
{
	struct inflight *s = current_call();
	struct mdevver_event *e;
	__u64 count, total = 0;

	if (!s)
		return;
	/* a read at EOF (offset > 0, nothing left) is the tail of a read
	 * already reported, not a new one */
	if (s->op == MDEVVER_OP_READ && ret == 0 && s->seq_start > 0)
		goto out;
	count = s->op == MDEVVER_OP_READ ? (ret > 0 ? ret : 0) : s->count;
	if (!outcome_wanted(s->op, ret, count))
		goto out;
	e = reserve_event();
	if (!e)
		goto out;
	fill_common(e, s, MDEVVER_MODE_SYSCALL, ret, count);
	fill_path(e, (struct kernfs_node *)s->arg0);
	if (s->vectored) {
		fill_data_iov(e, s->buf, s->count, &total);
		e->count = total;
	} else {
		fill_data(e, s->buf, count, true);
	}
	submit_event(e);
out:
	end_call();
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
