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
 * This file holds only the entry points (SEC programs), each a call into
 * the one capture path of calls.bpf.h, so all modes produce identical
 * events wherever the information exists (syscall mode cannot see the
 * vendor layer).  Every finished call goes through deliver_call(): one
 * event in the ring of its class, or one more repeat of its thread's run
 * (delivery.bpf.h).
 *
 * Enforcement adds the BPF LSM program on file_permission, which refuses a
 * denied check or read before it reaches the driver, and a re-check of the
 * kernel's own copy of the bytes at the store; both, and the dry run, take
 * the one verdict path of verdict.bpf.h over the matcher of policy.bpf.h.
 *
 * In fentry and kprobe modes the lifecycle of an mdev device is followed
 * too (create/remove, VFIO open/close, migration queries and state
 * changes): optional programs over the path of migration.bpf.h, enabled
 * where the mdev and vfio modules are loaded (docs/migration.md).
 *
 * The other headers: maps.bpf.h (every map and global), compat.bpf.h (what
 * differs between kernels), kernel_types.h (the kernel types, CO-RE),
 * scope.bpf.h (what is watched), capture.bpf.h (filters, in-flight calls,
 * the event's fields).
 */
#include "calls.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * The entry points whose path can reach the policy's matcher come in two
 * variants (calls.bpf.h says why): NAME for a plain tracer, NAME_policy for
 * enforce and its dry run.  POLICY_VARIANTS(DEF) defines both from one body
 * DEF(name, policy); user space loads one of them (attach.c).
 */
#define POLICY_VARIANTS(DEF)	DEF(, false) DEF(_policy, true)

#define FENTRY_STORE(suffix, policy)						\
SEC("fentry/sysfs_kf_write")							\
int BPF_PROG(fentry_sysfs_kf_write##suffix, struct kernfs_open_file *of,	\
	     char *buf, size_t count, loff_t pos)				\
{										\
	/* of is a BTF pointer here: plain loads, no probe-read helper call	\
	 * (what every sysfs write on the host pays) */				\
	store_begin(of, of->kn, of->kn->id, buf, count, policy);		\
	return 0;								\
}
POLICY_VARIANTS(FENTRY_STORE)

#define FEXIT_STORE(suffix, policy)						\
SEC("fexit/sysfs_kf_write")							\
int BPF_PROG(fexit_sysfs_kf_write##suffix, struct kernfs_open_file *of,	\
	     char *buf, size_t count, loff_t pos, ssize_t ret)			\
{										\
	store_end(MDEVVER_MODE_FENTRY, ret, true, of, buf, count, policy);	\
	return 0;								\
}
POLICY_VARIANTS(FEXIT_STORE)

SEC("fentry/sysfs_kf_seq_show")
int BPF_PROG(fentry_sysfs_kf_seq_show, struct seq_file *sf, void *v)
{
	show_begin(sf);
	return 0;
}

#define FEXIT_SHOW(suffix, policy)						\
SEC("fexit/sysfs_kf_seq_show")							\
int BPF_PROG(fexit_sysfs_kf_seq_show##suffix, struct seq_file *sf, void *v,	\
	     int ret)								\
{										\
	show_end(MDEVVER_MODE_FENTRY, ret, true, sf, policy);			\
	return 0;								\
}
POLICY_VARIANTS(FEXIT_SHOW)

#define KPROBE_STORE(suffix, policy)						\
SEC("kprobe/sysfs_kf_write")							\
int BPF_KPROBE(kprobe_sysfs_kf_write##suffix, struct kernfs_open_file *of,	\
	       char *buf, size_t count)						\
{										\
	struct kernfs_node *kn = BPF_CORE_READ(of, kn);				\
										\
	store_begin(of, kn, BPF_CORE_READ(kn, id), buf, count, policy);	\
	return 0;								\
}
POLICY_VARIANTS(KPROBE_STORE)

#define KRETPROBE_STORE(suffix, policy)						\
SEC("kretprobe/sysfs_kf_write")							\
int BPF_KRETPROBE(kretprobe_sysfs_kf_write##suffix, ssize_t ret)		\
{										\
	store_end(MDEVVER_MODE_KPROBE, ret, false, NULL, NULL, 0, policy);	\
	return 0;								\
}
POLICY_VARIANTS(KRETPROBE_STORE)

SEC("kprobe/sysfs_kf_seq_show")
int BPF_KPROBE(kprobe_sysfs_kf_seq_show, struct seq_file *sf)
{
	show_begin(sf);
	return 0;
}

#define KRETPROBE_SHOW(suffix, policy)						\
SEC("kretprobe/sysfs_kf_seq_show")						\
int BPF_KRETPROBE(kretprobe_sysfs_kf_seq_show##suffix, int ret)		\
{										\
	show_end(MDEVVER_MODE_KPROBE, ret, false, NULL, policy);		\
	return 0;								\
}
POLICY_VARIANTS(KRETPROBE_SHOW)

/* ------------------------------------------------------------------------
 * Vendor layer: i915 gvt (the seed patch).  These run inside a traced
 * store/show of the same thread, so they only annotate its call.
 *
 * get_version() is watched at its entry only: all a call needs from it is
 * where it writes.  A read's text is that buffer (the show hands the seq
 * buffer to the driver), taken at the show's exit (show_end); a check's
 * self is check_version()'s argument.  An exit program here cost a check
 * a second trampoline return and a copy of a string the check's exit
 * reads again (docs/delivery.md, "What a hook and a helper cost").
 * ---------------------------------------------------------------------- */

SEC("fentry/intel_gvt_get_vfio_device_version")
int BPF_PROG(fentry_gvt_get_version, void *dev_priv, char *buf)
{
	note_vendor_buf(buf);
	return 0;
}

SEC("fexit/intel_gvt_check_vfio_device_version")
int BPF_PROG(fexit_gvt_check_version, void *dev_priv, const char *self,
	     const char *remote, ssize_t ret)
{
	struct inflight *s = current_call(MDEVVER_OP_CHECK);

	if (!s)
		return 0;
	note_vendor_strings(s, self, remote);
	note_vendor_result(s, ret);
	return 0;
}

SEC("kprobe/intel_gvt_get_vfio_device_version")
int BPF_KPROBE(kprobe_gvt_get_version, void *dev_priv, char *buf)
{
	note_vendor_buf(buf);
	return 0;
}

SEC("kprobe/intel_gvt_check_vfio_device_version")
int BPF_KPROBE(kprobe_gvt_check_version, void *dev_priv, const char *self,
	       const char *remote)
{
	struct inflight *s = current_call(MDEVVER_OP_CHECK);

	if (s)
		note_vendor_strings(s, self, remote);
	return 0;
}

SEC("kretprobe/intel_gvt_check_vfio_device_version")
int BPF_KRETPROBE(kretprobe_gvt_check_version, ssize_t ret)
{
	struct inflight *s = current_call(MDEVVER_OP_CHECK);

	if (s)
		note_vendor_result(s, ret);
	return 0;
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

/* One exit handler per syscall (the tracepoint names differ, the work
 * not).  One variant only, with the matcher: without its call in the
 * exit path clang lays the fill out so that 6.1's verifier walks it three
 * times over (99,339 instructions per exit instead of 36,312 with the
 * matcher; a start of 5.2 s instead of 2.4 s in the bench guest), more
 * than verifying the dead matcher costs.  Its maps keep their size in
 * syscall mode (user/core/map_sizes.c). */
#define SYS_EXIT(call, op)							\
SEC("tracepoint/syscalls/sys_exit_" #call)					\
int sys_exit_##call(struct trace_event_raw_sys_exit *ctx)			\
{										\
	sys_end(op, ctx->ret, true);						\
	return 0;								\
}
SYS_EXIT(write, MDEVVER_OP_CHECK)
SYS_EXIT(pwrite64, MDEVVER_OP_CHECK)
SYS_EXIT(writev, MDEVVER_OP_CHECK)
SYS_EXIT(read, MDEVVER_OP_READ)
SYS_EXIT(pread64, MDEVVER_OP_READ)

/* ------------------------------------------------------------------------
 * Enforcement: the BPF LSM hook every read and write of a file passes
 * (verdict.bpf.h, file_permission_verdict).
 * ---------------------------------------------------------------------- */

SEC("lsm/file_permission")
int BPF_PROG(lsm_file_permission, struct file *file, int mask, int ret)
{
	if (ret)
		return ret;
	if (!(mask & (MAY_WRITE | MAY_READ)))
		return 0;
	return file_permission_verdict(file, mask);
}

/* The lifecycle of an mdev device: create, VFIO open/close, migration
 * states (VFIO migration uAPI v2). */
#include "migration.bpf.h"

/* ---- entry points: fentry/fexit ---------------------------------------- */

SEC("fentry/mdev_device_create")
int BPF_PROG(fentry_mdev_create, struct mdev_type *type, const void *uuid)
{
	mdev_begin(MDEVVER_VFIO_CREATE, type, uuid);
	return 0;
}

SEC("fexit/mdev_device_create")
int BPF_PROG(fexit_mdev_create, struct mdev_type *type, const void *uuid, int ret)
{
	mdev_end(ret, MDEVVER_MODE_FENTRY);
	return 0;
}

SEC("fentry/mdev_device_remove")
int BPF_PROG(fentry_mdev_remove, struct mdev_device *mdev)
{
	mdev_begin(MDEVVER_VFIO_REMOVE, mdev, NULL);
	return 0;
}

SEC("fexit/mdev_device_remove")
int BPF_PROG(fexit_mdev_remove, struct mdev_device *mdev, int ret)
{
	mdev_end(ret, MDEVVER_MODE_FENTRY);
	return 0;
}

SEC("fexit/vfio_group_fops_unl_ioctl")
int BPF_PROG(fexit_vfio_group_ioctl, struct file *filep, unsigned int cmd,
	     unsigned long arg, long ret)
{
	if (cmd != MDEVVER_VFIO_GROUP_GET_DEVICE_FD)
		return 0;
	/* ret is the new fd of the device file */
	vfio_opened(ret >= 0 ? fd_file(ret) : NULL, ret, 0, MDEVVER_MODE_FENTRY);
	return 0;
}

SEC("fentry/vfio_device_fops_release")
int BPF_PROG(fentry_vfio_release, struct inode *inode, struct file *filep)
{
	vfio_closed(filep, MDEVVER_MODE_FENTRY);
	return 0;
}

SEC("fentry/vfio_device_fops_unl_ioctl")
int BPF_PROG(fentry_vfio_device_ioctl, struct file *filep, unsigned int cmd,
	     unsigned long arg)
{
	device_ioctl_begin(filep, cmd, arg);
	return 0;
}

SEC("fexit/vfio_device_fops_unl_ioctl")
int BPF_PROG(fexit_vfio_device_ioctl, struct file *filep, unsigned int cmd,
	     unsigned long arg, long ret)
{
	if (cmd == MDEVVER_VFIO_DEVICE_FEATURE)
		device_ioctl_end(ret, MDEVVER_MODE_FENTRY);
	return 0;
}

SEC("fentry/vfio_mig_get_next_state")
int BPF_PROG(fentry_vfio_next_state, struct vfio_device *device, int cur,
	     int new_state, int *next)
{
	driver_next_state(cur, new_state);
	return 0;
}

/* ---- entry points: the ioctl system call (syscall mode, where no
 * function hook attaches): VFIO_GROUP_GET_DEVICE_FD (open) and
 * VFIO_DEVICE_FEATURE on a VFIO device file (queries, state changes),
 * decoded by the same code as the function hooks ------------------------- */

SEC("tracepoint/syscalls/sys_enter_ioctl")
int sys_enter_ioctl(struct trace_event_raw_sys_enter *ctx)
{
	__u32 cmd = (__u32)ctx->args[1];
	struct file *f;

	/* every ioctl of the host comes here: the command first */
	if (cmd == MDEVVER_VFIO_GROUP_GET_DEVICE_FD) {
		struct vfio_call c = {};
		__u64 key = bpf_get_current_pid_tgid();

		if (!vfio_device_fops_addr || !task_wanted())
			return 0;
		c.start_ns = bpf_ktime_get_ns();
		c.cmd = cmd;
		bpf_map_update_elem(&vfio_calls, &key, &c, BPF_ANY);
		return 0;
	}
	if (cmd != MDEVVER_VFIO_DEVICE_FEATURE)
		return 0;
	f = fd_file(ctx->args[0]);
	if (!f || !vfio_device_file(f))
		return 0;
	device_ioctl_begin(f, cmd, ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_ioctl")
int sys_exit_ioctl(struct trace_event_raw_sys_exit *ctx)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct vfio_call *c = bpf_map_lookup_elem(&vfio_calls, &key);
	struct file *f;
	__u64 start;

	if (!c)
		return 0;
	if (c->cmd == MDEVVER_VFIO_DEVICE_FEATURE) {
		device_ioctl_end(ctx->ret, MDEVVER_MODE_SYSCALL);
		return 0;
	}
	if (c->cmd != MDEVVER_VFIO_GROUP_GET_DEVICE_FD)
		return 0;
	start = c->start_ns;
	bpf_map_delete_elem(&vfio_calls, &key);
	/* the command number alone does not say it was a VFIO group: only
	 * an fd of a VFIO device file counts (a failed open is not seen) */
	f = ctx->ret >= 0 ? fd_file(ctx->ret) : NULL;
	if (f && vfio_device_file(f))
		vfio_opened(f, ctx->ret, start, MDEVVER_MODE_SYSCALL);
	return 0;
}

/* the ioctl permission hook: migration state changes (op=migrate) */
SEC("lsm/file_ioctl")
int BPF_PROG(lsm_file_ioctl, struct file *file, unsigned int cmd,
	     unsigned long arg, int ret)
{
	if (ret)
		return ret;
	return file_ioctl_verdict(file, cmd, arg);
}

/* ---- entry points: kprobe/kretprobe (same paths, arguments kept in
 * vfio_calls by the entry) ------------------------------------------------ */

SEC("kprobe/mdev_device_create")
int BPF_KPROBE(kprobe_mdev_create, struct mdev_type *type, const void *uuid)
{
	mdev_begin(MDEVVER_VFIO_CREATE, type, uuid);
	return 0;
}

SEC("kretprobe/mdev_device_create")
int BPF_KRETPROBE(kretprobe_mdev_create, int ret)
{
	mdev_end(ret, MDEVVER_MODE_KPROBE);
	return 0;
}

SEC("kprobe/mdev_device_remove")
int BPF_KPROBE(kprobe_mdev_remove, struct mdev_device *mdev)
{
	mdev_begin(MDEVVER_VFIO_REMOVE, mdev, NULL);
	return 0;
}

SEC("kretprobe/mdev_device_remove")
int BPF_KRETPROBE(kretprobe_mdev_remove, int ret)
{
	mdev_end(ret, MDEVVER_MODE_KPROBE);
	return 0;
}

SEC("kprobe/vfio_device_fops_unl_ioctl")
int BPF_KPROBE(kprobe_vfio_device_ioctl, struct file *filep, unsigned int cmd,
	       unsigned long arg)
{
	device_ioctl_begin(filep, cmd, arg);
	return 0;
}

SEC("kretprobe/vfio_device_fops_unl_ioctl")
int BPF_KRETPROBE(kretprobe_vfio_device_ioctl, long ret)
{
	device_ioctl_end(ret, MDEVVER_MODE_KPROBE);
	return 0;
}

SEC("kprobe/vfio_mig_get_next_state")
int BPF_KPROBE(kprobe_vfio_next_state, struct vfio_device *device, int cur,
	       int new_state)
{
	driver_next_state(cur, new_state);
	return 0;
}

SEC("kprobe/vfio_device_fops_release")
int BPF_KPROBE(kprobe_vfio_release, struct inode *inode, struct file *filep)
{
	vfio_closed(filep, MDEVVER_MODE_KPROBE);
	return 0;
}

/* group ioctl in kprobe mode: the command at entry, the fd at return */
SEC("kprobe/vfio_group_fops_unl_ioctl")
int BPF_KPROBE(kprobe_vfio_group_ioctl, struct file *filep, unsigned int cmd)
{
	struct vfio_call c = {};
	__u64 key = bpf_get_current_pid_tgid();

	if (cmd != MDEVVER_VFIO_GROUP_GET_DEVICE_FD || !task_wanted())
		return 0;
	c.start_ns = bpf_ktime_get_ns();
	c.cmd = cmd;
	bpf_map_update_elem(&vfio_calls, &key, &c, BPF_ANY);
	return 0;
}

SEC("kretprobe/vfio_group_fops_unl_ioctl")
int BPF_KRETPROBE(kretprobe_vfio_group_ioctl, long ret)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct vfio_call *c = bpf_map_lookup_elem(&vfio_calls, &key);
	__u64 start;

	if (!c || c->cmd != MDEVVER_VFIO_GROUP_GET_DEVICE_FD)
		return 0;
	start = c->start_ns;
	bpf_map_delete_elem(&vfio_calls, &key);
	vfio_opened(ret >= 0 ? fd_file(ret) : NULL, ret, start, MDEVVER_MODE_KPROBE);
	return 0;
}
