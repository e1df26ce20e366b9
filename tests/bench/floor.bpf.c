// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * floor.bpf.c - the benchmark's floor: empty fentry and fexit programs on
 * the two functions mdevver-trace hooks in fentry mode (sysfs_kf_write,
 * sysfs_kf_seq_show).  What any tracer of these functions pays before it
 * does anything: the trampoline, the program calls, nothing else.  No
 * struct is read, so no CO-RE relocation and no kernel types are needed.
 * With --vendor (floor.c) also empty programs on the two i915 gvt
 * functions a compatibility check runs through, of the kinds the default
 * mode has there (fentry on get_version, fexit on check_version): the
 * floor of every hook mdevver-trace's default mode has on a check (four
 * programs).
 * Loaded by floor.c (tests/bench/guest.sh, make bench).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("fentry/sysfs_kf_write")
int floor_write_entry(void *ctx)
{
	return 0;
}

SEC("fexit/sysfs_kf_write")
int floor_write_exit(void *ctx)
{
	return 0;
}

SEC("fentry/sysfs_kf_seq_show")
int floor_show_entry(void *ctx)
{
	return 0;
}

SEC("fexit/sysfs_kf_seq_show")
int floor_show_exit(void *ctx)
{
	return 0;
}

SEC("fentry/intel_gvt_get_vfio_device_version")
int floor_vendor_get(void *ctx)
{
	return 0;
}

SEC("fexit/intel_gvt_check_vfio_device_version")
int floor_vendor_check(void *ctx)
{
	return 0;
}
