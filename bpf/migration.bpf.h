/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * migration.bpf.h - the lifecycle of an mdev device on today's kernels:
 * created, opened through VFIO, migrated (VFIO migration uAPI v2, 5.18+),
 * closed, removed (docs/migration.md).
 *
 * Hooks (all in modules: mdev.ko and vfio.ko; user space enables a program
 * only when its function is in the kernel's BTF / kallsyms):
 *   mdev_device_create / mdev_device_remove    create, remove (who, type,
 *                                              parent, uuid, result)
 *   vfio_group_fops_unl_ioctl                  VFIO_GROUP_GET_DEVICE_FD:
 *                                              a process opens the device
 *   vfio_device_fops_unl_ioctl                 VFIO_DEVICE_FEATURE: the
 *                                              migration queries and every
 *                                              state change
 *   vfio_mig_get_next_state                    the driver's own current
 *                                              state ("from"), when the
 *                                              driver asks the core for the
 *                                              next arc (mtty, mlx5, ...)
 *   vfio_device_fops_release                   the device file closed
 *
 * Nothing here runs for unrelated work: every hook is a VFIO or mdev
 * function, so a host without VFIO traffic pays nothing.  The SEC entry
 * points are in mdevver_trace.bpf.c, the maps (vfio_sessions, vfio_calls)
 * in maps.bpf.h, the kernel types in kernel_types.h.
 *
 * The bytes of a migration are never counted per read(2)/write(2) (which
 * would put a program on every read of the host).  Drivers keep the data
 * file's f_pos as the stream offset (the uAPI's drivers return ESPIPE for
 * pread and advance filp->f_pos themselves), so when the phase ends - the
 * next state change of the session - f_pos of the file the change returned
 * is exactly what went through it.  The file is found again through the
 * process's fd table (fd and pointer must both match): if the process
 * closed it first, the bytes are reported as unknown, never guessed.
 */
#ifndef MDEVVER_MIGRATION_BPF_H
#define MDEVVER_MIGRATION_BPF_H

#include "capture.bpf.h"
#include "verdict.bpf.h"
#include "vfio_dev.bpf.h"

static __always_inline struct mdevver_vfio_event *vfio_reserve(void)
{
	struct mdevver_vfio_event *e;

	if (state_get(MDEVVER_STATE_INSTANCE) != instance_id)
		return NULL;
	e = bpf_ringbuf_reserve(&checks, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost_lifecycle, 1);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->kind = MDEVVER_REC_VFIO;
	e->ts_ns = bpf_ktime_get_ns();
	e->cgroup_id = bpf_get_current_cgroup_id();
	__u64 id = bpf_get_current_pid_tgid();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

static __always_inline void vfio_submit(struct mdevver_vfio_event *e)
{
	/* rare and wanted promptly: wake the reader */
	bpf_ringbuf_submit(e, 0);
}

/* Name, parent and (for an mdev device) type of a struct device, into
 * MDEVVER_DEVNAME_MAX-byte arrays. */
static __always_inline void vfio_fill_names(char *device, char *parent, char *type,
					    __u32 *flags, struct device *dev)
{
	const char *s;
	char bus[8] = {};

	if (!dev)
		return;
	s = BPF_CORE_READ(dev, kobj.name);
	bpf_probe_read_kernel_str(device, MDEVVER_DEVNAME_MAX, s);
	s = BPF_CORE_READ(dev, parent, kobj.name);
	if (s)
		bpf_probe_read_kernel_str(parent, MDEVVER_DEVNAME_MAX, s);
	s = BPF_CORE_READ(dev, bus, name);
	if (s)
		bpf_probe_read_kernel_str(bus, sizeof(bus), s);
	/* struct mdev_device embeds its struct device first */
	if (bus[0] == 'm' && bus[1] == 'd' && bus[2] == 'e' && bus[3] == 'v' && !bus[4]) {
		struct mdev_device *mdev = (struct mdev_device *)dev;

		s = BPF_CORE_READ(mdev, type, kobj.name);
		if (s) {
			bpf_probe_read_kernel_str(type, MDEVVER_DEVNAME_MAX, s);
			*flags |= MDEVVER_VF_MDEV;
		}
	}
}

static __always_inline void vfio_fill_device(struct mdevver_vfio_event *e,
					     struct device *dev)
{
	vfio_fill_names(e->device, e->parent, e->type, &e->flags, dev);
}

/* ---- open / close ------------------------------------------------------ */

static __always_inline void vfio_opened(struct file *f, __s64 ret, __u64 start_ns,
					__u8 mode)
{
	struct vfio_session s = {};
	__u64 key = (__u64)f;
	struct mdevver_vfio_event *e;

	if (!task_wanted())
		return;
	s.id = __sync_fetch_and_add(&session_seq, 1) + 1;
	/* a device starts RUNNING when opened (uAPI v2) */
	s.state = MDEVVER_MIG_RUNNING;
	s.data_fd = -1;
	if (f)
		bpf_map_update_elem(&vfio_sessions, &key, &s, BPF_ANY);
	e = vfio_reserve();
	if (!e)
		return;
	e->what = MDEVVER_VFIO_OPEN;
	e->mode = mode;
	e->ret = ret;
	e->session = f ? s.id : 0;
	e->latency_ns = start_ns ? e->ts_ns - start_ns : 0;
	e->data_fd = -1;
	if (f)
		vfio_fill_device(e, vfio_file_device(f));
	vfio_submit(e);
}

/* f_pos of the data file the session's last change returned, if the
 * process still holds it under the same fd. */
static __always_inline bool data_bytes(struct vfio_session *s, __u64 *bytes)
{
	struct file *f;

	if (!s->data_file)
		return false;
	if ((bpf_get_current_pid_tgid() >> 32) != s->data_tgid)
		return false;
	f = fd_file(s->data_fd);
	if (f != s->data_file)
		return false;
	*bytes = BPF_CORE_READ(f, f_pos);
	return true;
}

static __always_inline void vfio_closed(struct file *f, __u8 mode)
{
	__u64 key = (__u64)f;
	struct vfio_session *s = bpf_map_lookup_elem(&vfio_sessions, &key);
	struct mdevver_vfio_event *e;

	if (!s)
		return;
	e = vfio_reserve();
	if (e) {
		e->what = MDEVVER_VFIO_CLOSE;
		e->mode = mode;
		e->session = s->id;
		e->from_state = s->state;
		e->data_fd = -1;
		if (s->data_file) {
			__u64 bytes;

			if (data_bytes(s, &bytes)) {
				e->bytes = bytes;
				e->flags |= MDEVVER_VF_BYTES;
			} else {
				e->flags |= MDEVVER_VF_BYTES_LOST;
			}
		}
		vfio_fill_device(e, vfio_file_device(f));
		vfio_submit(e);
	}
	bpf_map_delete_elem(&vfio_sessions, &key);
}

/* ---- VFIO_DEVICE_FEATURE ----------------------------------------------- */

static __always_inline bool feature_traced(__u32 feature)
{
	__u32 id = feature & MDEVVER_FEATURE_MASK;

	return id == MDEVVER_FEATURE_MIGRATION || id == MDEVVER_FEATURE_MIG_DEVICE_STATE ||
	       id == MDEVVER_FEATURE_MIG_DATA_SIZE;
}

/* The permission hook's judgement of the state change c is about, if it
 * made one (lsm/file_ioctl, in this thread, on this file). */
static __always_inline void take_mig_decision(struct vfio_call *c)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct mig_decision *d = bpf_map_lookup_elem(&mig_decisions, &key);

	if (!d || d->file != c->file)
		return;
	c->judged = 1;
	c->verdict = d->verdict;
	c->rule_id = d->rule_id;
	c->policy_gen = d->gen;
	c->fail_closed = d->fail_closed;
	c->judged_state = d->state;
	bpf_map_delete_elem(&mig_decisions, &key);
}

static __always_inline void device_ioctl_begin(struct file *f, __u32 cmd, __u64 arg)
{
	struct vfio_call c = {};
	__u64 key = bpf_get_current_pid_tgid();
	__u32 hdr[2];
	__u64 fkey = (__u64)f;

	if (cmd != MDEVVER_VFIO_DEVICE_FEATURE || !task_wanted())
		return;
	/* struct vfio_device_feature { __u32 argsz; __u32 flags; __u8 data[]; } */
	if (bpf_probe_read_user(hdr, sizeof(hdr), (void *)arg))
		return;
	if (!feature_traced(hdr[1]))
		return;
	c.start_ns = bpf_ktime_get_ns();
	c.file = fkey;
	c.arg = arg;
	c.cmd = cmd;
	c.feature = hdr[1];
	c.from_state = MDEVVER_MIG_UNKNOWN;
	if (mig_state_change(hdr[1])) {
		__u32 state = 0;
		struct vfio_session *s = bpf_map_lookup_elem(&vfio_sessions, &fkey);

		bpf_probe_read_user(&state, sizeof(state), (void *)(arg + 8));
		c.to_state = state > 254 ? 254 : state;
		/* fentry/kprobe: the permission hook ran just before, in this
		 * thread (syscall mode: it runs after the entry; taken at exit) */
		take_mig_decision(&c);
		if (s) {
			c.from_state = s->state;
			/* what went through the phase's data file: read now,
			 * before the driver resets f_pos as it disables it */
			if (s->data_file)
				c.bytes_flags = data_bytes(s, &c.bytes) ? MDEVVER_VF_BYTES
									: MDEVVER_VF_BYTES_LOST;
		}
	}
	bpf_map_update_elem(&vfio_calls, &key, &c, BPF_ANY);
}

/* The driver asks the core for the next arc: its first question within a
 * state change names the state it is really in, and the target as the
 * kernel copied it from the caller (the copy the driver acts on, made after
 * the permission hook and the entry hook read the caller's memory). */
static __always_inline void driver_next_state(__u32 cur, __u32 target)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct vfio_call *c = bpf_map_lookup_elem(&vfio_calls, &key);

	if (!c || c->from_driver || c->cmd != MDEVVER_VFIO_DEVICE_FEATURE)
		return;
	c->from_state = cur > 254 ? 254 : cur;
	c->to_state = target > 254 ? 254 : target;
	c->from_driver = 1;
}

/*
 * The policy's word on a state change that reached the driver: enforcing,
 * the permission hook's judgement (and whether the kernel then used the
 * target it judged); in a dry run, judged here with the target the kernel
 * used.  Enforcing op=migrate rules without the hook's judgement is said,
 * never hidden.
 */
static __always_inline void mig_verdict_into(struct mdevver_vfio_event *e,
					     const struct vfio_call *c, struct file *f)
{
	struct policy_verdict v;	/* read only where migrate_verdict() set it */

	if (c->judged && c->verdict != MDEVVER_VERDICT_DENIED) {
		e->flags |= MDEVVER_VF_JUDGED;
		e->verdict = c->verdict;
		e->rule_id = c->rule_id;
		e->policy_gen = c->policy_gen;
		e->fail_closed = c->fail_closed;
		e->judged_state = c->judged_state;
		if (c->judged_state != c->to_state)
			e->flags |= MDEVVER_VF_TARGET_CHANGED;
		return;
	}
	if (enforce_mode() == MDEVVER_ENFORCE_ON &&
	    (gen_flags(state_get(MDEVVER_STATE_ACTIVE_GEN)) & MDEVVER_GEN_MIGRATE_RULES)) {
		e->flags |= MDEVVER_VF_UNJUDGED;
		return;
	}
	if (enforce_mode() != MDEVVER_ENFORCE_DRY_RUN ||
	    migrate_verdict(f, c->to_state, &v) != VERDICT_JUDGED)
		return;
	e->flags |= MDEVVER_VF_JUDGED;
	e->judged_state = c->to_state;
	if (v.action == MDEVVER_ACT_NONE)
		return;
	e->verdict = v.action == MDEVVER_ACT_DENY ? MDEVVER_VERDICT_WOULD_DENY
						  : MDEVVER_VERDICT_AUDIT;
	e->rule_id = v.rule_id;
	e->policy_gen = v.gen;
	e->fail_closed = v.fail_closed;
}

static __always_inline void device_ioctl_end(__s64 ret, __u8 mode)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct vfio_call *c = bpf_map_lookup_elem(&vfio_calls, &key);
	struct vfio_session *s;
	struct mdevver_vfio_event *e;
	struct file *f;
	__u32 id;
	bool set;

	if (!c || c->cmd != MDEVVER_VFIO_DEVICE_FEATURE)
		return;
	f = (struct file *)c->file;
	s = bpf_map_lookup_elem(&vfio_sessions, &c->file);
	id = c->feature & MDEVVER_FEATURE_MASK;
	set = c->feature & MDEVVER_FEATURE_SET;
	if (mig_state_change(c->feature) && !c->judged) {
		/* syscall mode: the permission hook ran after the entry */
		take_mig_decision(c);
		/* refused there and reported by it: not twice */
		if (c->judged && c->verdict == MDEVVER_VERDICT_DENIED)
			goto out;
	}
	if (id == MDEVVER_FEATURE_MIG_DEVICE_STATE && !set && !(c->feature & MDEVVER_FEATURE_PROBE)) {
		/* GET of the current state: QEMU and the test program ask it
		 * around every change; it only refreshes the session's state
		 * (a record each time would drown the changes themselves) */
		__u32 v = 0;

		if (ret == 0 && s && (c->feature & MDEVVER_FEATURE_GET) &&
		    !bpf_probe_read_user(&v, sizeof(v), (void *)(c->arg + 8)) &&
		    v < MDEVVER_MIG_STATES)
			s->state = v;
		goto out;
	}
	e = vfio_reserve();
	if (!e)
		goto out;
	e->mode = mode;
	e->ret = ret;
	e->feature = c->feature;
	e->latency_ns = e->ts_ns - c->start_ns;
	e->session = s ? s->id : 0;
	e->data_fd = -1;
	if (mig_state_change(c->feature)) {
		e->what = MDEVVER_VFIO_STATE;
		e->from_state = c->from_state;
		e->to_state = c->to_state;
		if (c->from_driver)
			e->flags |= MDEVVER_VF_FROM_DRIVER;
		mig_verdict_into(e, c, f);
		/* the data file's bytes so far, as the change found them */
		e->bytes = c->bytes;
		e->flags |= c->bytes_flags;
		if (s) {
			if (ret == 0) {
				__s32 fd = -1;

				s->state = c->to_state;
				/* the file lives on only into another data
				 * state without a new file (PRE_COPY ->
				 * STOP_COPY continues the same stream) */
				if (c->to_state != MDEVVER_MIG_STOP_COPY &&
				    c->to_state != MDEVVER_MIG_PRE_COPY_P2P &&
				    c->to_state != MDEVVER_MIG_PRE_COPY) {
					s->data_file = NULL;
					s->data_fd = -1;
				}
				/* struct vfio_device_feature_mig_state
				 * { __u32 device_state; __s32 data_fd; } */
				if (!bpf_probe_read_user(&fd, sizeof(fd), (void *)(c->arg + 12)) &&
				    fd >= 0 && (c->to_state == MDEVVER_MIG_STOP_COPY ||
						c->to_state == MDEVVER_MIG_RESUMING ||
						c->to_state == MDEVVER_MIG_PRE_COPY ||
						c->to_state == MDEVVER_MIG_PRE_COPY_P2P)) {
					s->data_file = fd_file(fd);
					s->data_fd = fd;
					s->data_tgid = bpf_get_current_pid_tgid() >> 32;
					e->data_fd = fd;
					e->flags |= MDEVVER_VF_DATA_FD;
				}
			} else if (c->from_driver) {
				/* a failed change leaves the device where
				 * the driver stopped (or in ERROR): the
				 * next change's "from" comes from the driver
				 * again, or is unknown */
				s->state = MDEVVER_MIG_UNKNOWN;
			}
		}
	} else {
		__u64 v = 0;

		e->what = MDEVVER_VFIO_FEATURE;
		if (ret == 0 && (c->feature & MDEVVER_FEATURE_GET) &&
		    !bpf_probe_read_user(&v, sizeof(v), (void *)(c->arg + 8))) {
			e->value = v;
			e->flags |= MDEVVER_VF_VALUE;
		}
	}
	vfio_fill_device(e, vfio_file_device(f));
	vfio_submit(e);
out:
	bpf_map_delete_elem(&vfio_calls, &key);
}

/* ---- the ioctl permission hook (enforce, op=migrate) -------------------- */

/* A state change refused before the driver ran: the hook reports it, and
 * leaves the refusal for syscall mode's exit hook, which sees the refused
 * call too and must not report it a second time. */
static __always_inline void emit_mig_refused(struct file *f, __u32 feature,
					     __u32 state, const struct policy_verdict *v,
					     __u32 rule_id, __u16 fail_closed)
{
	__u64 fkey = (__u64)f, key = bpf_get_current_pid_tgid();
	struct mig_decision d = { .file = fkey, .verdict = MDEVVER_VERDICT_DENIED };

	bpf_map_update_elem(&mig_decisions, &key, &d, BPF_ANY);
	struct vfio_session *s = bpf_map_lookup_elem(&vfio_sessions, &fkey);
	struct mdevver_vfio_event *e = vfio_reserve();

	if (!e)
		return;
	e->what = MDEVVER_VFIO_STATE;
	e->mode = MDEVVER_MODE_LSM;
	e->ret = -EPERM;
	e->feature = feature;
	e->session = s ? s->id : 0;
	e->from_state = s ? s->state : MDEVVER_MIG_UNKNOWN;
	e->to_state = state > 254 ? 254 : state;
	e->data_fd = -1;
	e->flags |= MDEVVER_VF_JUDGED;
	e->verdict = MDEVVER_VERDICT_DENIED;
	e->rule_id = rule_id;
	e->policy_gen = v->gen;
	e->fail_closed = fail_closed;
	e->judged_state = e->to_state;
	vfio_fill_device(e, vfio_file_device(f));
	vfio_submit(e);
}

/*
 * lsm/file_ioctl: a VFIO_DEVICE_FEATURE on a VFIO device file that asks
 * for a state change is judged by the op=migrate rules before the driver
 * runs (deny: EPERM).  The feature header and the target are read from the
 * caller's memory; the kernel copies them again afterwards, so a thread
 * that rewrites the argument in between changes what the driver is asked
 * (TOCTOU): the kernel's own copy is seen at vfio_mig_get_next_state and a
 * difference is reported in the record (MDEVVER_VF_TARGET_CHANGED).
 * Returns 0 or -errno.
 */
static __always_inline int file_ioctl_verdict(struct file *file, __u32 cmd, __u64 arg)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct policy_verdict v = {};
	struct mig_decision d = {};
	__u32 hdr[2], state = MDEVVER_MIG_UNKNOWN;
	int status;

	if (cmd != MDEVVER_VFIO_DEVICE_FEATURE)
		return 0;
	if (enforce_mode() != MDEVVER_ENFORCE_ON || !vfio_device_file(file))
		return 0;
	if (!(gen_flags(state_get(MDEVVER_STATE_ACTIVE_GEN)) & MDEVVER_GEN_MIGRATE_RULES)) {
		bpf_map_delete_elem(&mig_decisions, &key);
		return 0;
	}
	/* struct vfio_device_feature { argsz, flags, data[] }; the state
	 * change's data: struct vfio_device_feature_mig_state { device_state,
	 * data_fd } */
	if (bpf_probe_read_user(hdr, sizeof(hdr), (void *)arg) ||
	    (mig_state_change(hdr[1]) &&
	     bpf_probe_read_user(&state, sizeof(state), (void *)(arg + 8)))) {
		/* not in memory: whether and where to is unknown; the
		 * kernel's copy would fault it in.  Fail closed, and say so */
		v.gen = state_get(MDEVVER_STATE_ACTIVE_GEN) & 1;
		emit_mig_refused(file, 0, MDEVVER_MIG_UNKNOWN, &v, MDEVVER_RULE_NONE,
				 MDEVVER_UNK_IOCTL_ARG);
		return -EPERM;
	}
	if (!mig_state_change(hdr[1]))
		return 0;
	status = migrate_verdict(file, state, &v);
	if (status == VERDICT_NO_GEN)
		return -EPERM;	/* cannot happen; if it did, fail closed */
	if (status == VERDICT_NO_SLOT) {
		emit_mig_refused(file, hdr[1], state, &v, MDEVVER_RULE_NONE,
				 MDEVVER_UNK_PREEMPTED);
		return -EPERM;
	}
	if (status != VERDICT_JUDGED) {
		bpf_map_delete_elem(&mig_decisions, &key);
		return 0;
	}
	d.file = (__u64)file;
	d.verdict = v.action == MDEVVER_ACT_AUDIT ? MDEVVER_VERDICT_AUDIT
						  : MDEVVER_VERDICT_NONE;
	d.rule_id = v.rule_id;
	d.gen = v.gen;
	d.fail_closed = v.fail_closed;
	d.state = state > 254 ? 254 : state;
	if (v.action == MDEVVER_ACT_DENY) {
		emit_mig_refused(file, hdr[1], state, &v, v.rule_id, v.fail_closed);
		return -EPERM;
	}
	bpf_map_update_elem(&mig_decisions, &key, &d, BPF_ANY);
	return 0;
}

/* ---- mdev create / remove ---------------------------------------------- */

static __always_inline void mdev_begin(__u32 what, void *obj, const void *uuid)
{
	struct vfio_call c = {};
	__u64 key = bpf_get_current_pid_tgid();

	if (!task_wanted())
		return;
	c.start_ns = bpf_ktime_get_ns();
	c.cmd = what;
	c.obj = (__u64)obj;
	if (uuid)
		bpf_probe_read_kernel(c.uuid, sizeof(c.uuid), uuid);
	bpf_map_update_elem(&vfio_calls, &key, &c, BPF_ANY);
	if (what == MDEVVER_VFIO_REMOVE) {
		/* the device and its name are freed by the time remove
		 * returns: take the names now, into the map's copy */
		struct vfio_call *m = bpf_map_lookup_elem(&vfio_calls, &key);
		__u32 flags = 0;

		if (!m)
			return;
		vfio_fill_names(m->device, m->parent, m->type, &flags, (struct device *)obj);
		m->names_flags = flags;
	}
}

static __always_inline char hex_digit(__u8 v)
{
	return v < 10 ? '0' + v : 'a' + (v - 10);
}

static __always_inline void mdev_end(__s64 ret, __u8 mode)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct vfio_call *c = bpf_map_lookup_elem(&vfio_calls, &key);
	struct mdevver_vfio_event *e;
	const char *s;

	if (!c || (c->cmd != MDEVVER_VFIO_CREATE && c->cmd != MDEVVER_VFIO_REMOVE))
		return;
	e = vfio_reserve();
	if (!e)
		goto out;
	e->what = c->cmd;
	e->mode = mode;
	e->ret = ret;
	e->latency_ns = e->ts_ns - c->start_ns;
	e->data_fd = -1;
	if (c->cmd == MDEVVER_VFIO_CREATE) {
		struct mdev_type *type = (struct mdev_type *)c->obj;
		int o = 0;

		/* the uuid as the create attribute takes it: mdev parses it
		 * with guid_parse(), whose first three fields are stored
		 * little-endian (the kernel's guid_index[]) */
		for (int i = 0; i < 16; i++) {
			int b = i < 4 ? 3 - i : i < 6 ? 9 - i : i < 8 ? 13 - i : i;

			if (i == 4 || i == 6 || i == 8 || i == 10)
				e->device[o++ & 63] = '-';
			e->device[o++ & 63] = hex_digit(c->uuid[b & 15] >> 4);
			e->device[o++ & 63] = hex_digit(c->uuid[b & 15] & 15);
		}
		s = BPF_CORE_READ(type, kobj.name);
		if (s) {
			bpf_probe_read_kernel_str(e->type, sizeof(e->type), s);
			e->flags |= MDEVVER_VF_MDEV;
		}
		/* the type directory's parent is the parent device's
		 * mdev_supported_types; the device itself is named by the
		 * type kobject's parent's parent */
		s = BPF_CORE_READ(type, kobj.parent, parent, name);
		if (s)
			bpf_probe_read_kernel_str(e->parent, sizeof(e->parent), s);
	} else {
		__builtin_memcpy(e->device, c->device, sizeof(e->device));
		__builtin_memcpy(e->parent, c->parent, sizeof(e->parent));
		__builtin_memcpy(e->type, c->type, sizeof(e->type));
		e->flags |= c->names_flags;
	}
	vfio_submit(e);
out:
	bpf_map_delete_elem(&vfio_calls, &key);
}

#endif /* MDEVVER_MIGRATION_BPF_H */
