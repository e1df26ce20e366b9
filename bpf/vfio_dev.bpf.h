/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * vfio_dev.bpf.h - the one definition of what a VFIO migration state change
 * is, shared by tracing (migration.bpf.h), the permission hook on ioctls
 * (lsm/file_ioctl) and the policy matcher (policy.bpf.h, op=migrate):
 *
 *   a VFIO device file    a file whose f_op is vfio.ko's vfio_device_fops
 *                         (address from /proc/kallsyms, user/core/attach.c):
 *                         the group path's "[vfio-device]" anon inode and
 *                         the cdev /dev/vfio/devices/vfioN alike.  That is
 *                         exactly the set of files the tracing hook
 *                         vfio_device_fops_unl_ioctl runs for.
 *   a state change        VFIO_DEVICE_FEATURE with SET (not PROBE) of
 *                         VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE
 */
#ifndef MDEVVER_VFIO_DEV_BPF_H
#define MDEVVER_VFIO_DEV_BPF_H

#include "maps.bpf.h"
#include "mdevver_vfio.h"

static __always_inline bool vfio_device_file(struct file *f)
{
	/* 0: vfio.ko was not loaded when the tracer started; then no
	 * lifecycle hook is attached either, and nothing is judged */
	return vfio_device_fops_addr &&
	       (__u64)BPF_CORE_READ(f, f_op) == vfio_device_fops_addr;
}

/* The feature flags word of a VFIO_DEVICE_FEATURE call: does it ask for a
 * state change?  (PROBE|SET only asks whether SET is supported.) */
static __always_inline bool mig_state_change(__u32 feature)
{
	return (feature & MDEVVER_FEATURE_MASK) == MDEVVER_FEATURE_MIG_DEVICE_STATE &&
	       (feature & MDEVVER_FEATURE_SET) && !(feature & MDEVVER_FEATURE_PROBE);
}

/* The struct device behind a VFIO device file. */
static __always_inline struct device *vfio_file_device(struct file *f)
{
	void *pd = BPF_CORE_READ(f, private_data);
	struct vfio_device *vdev = pd;

	if (!pd || !bpf_core_type_exists(struct vfio_device))
		return NULL;
	if (bpf_core_type_exists(struct vfio_device_file))
		vdev = BPF_CORE_READ((struct vfio_device_file *)pd, device);
	if (!vdev)
		return NULL;
	return BPF_CORE_READ(vdev, dev);
}

/* The mdev type's name of dev (its kobject: the type directory's name, as
 * records and rules spell it), or NULL when dev is not an mdev device. */
static __always_inline const char *vfio_mdev_type_name(struct device *dev)
{
	const char *s;
	char bus[8] = {};

	/* mdev.ko not loaded (a host with vfio-pci only): no mdev device, and
	 * the reads below are dead code the verifier drops */
	if (!dev || !bpf_core_type_exists(struct mdev_device))
		return NULL;
	s = BPF_CORE_READ(dev, bus, name);
	if (!s || bpf_probe_read_kernel_str(bus, sizeof(bus), s) <= 0)
		return NULL;
	if (bus[0] != 'm' || bus[1] != 'd' || bus[2] != 'e' || bus[3] != 'v' || bus[4])
		return NULL;
	/* struct mdev_device embeds its struct device first */
	return BPF_CORE_READ((struct mdev_device *)dev, type, kobj.name);
}

#endif /* MDEVVER_VFIO_DEV_BPF_H */
