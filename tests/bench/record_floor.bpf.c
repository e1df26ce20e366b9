// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * record_floor.bpf.c - the benchmark's recording floor: the least a
 * recorder of a compatibility check does on the four hooks a default-mode
 * check passes (the vendor floor's hooks: fentry and fexit on
 * sysfs_kf_write, fentry on the gvt get function, fexit on the gvt check).
 * The vendor floor says what the hooks cost empty; this says what it costs
 * to record on them at all, so that the tracer's cost can be read against
 * what recording needs rather than against nothing (docs/delivery.md,
 * "The recording floor").
 *
 * What it does per check, and nothing else:
 *   store entry   is the node the watched attribute (one compare with the
 *                 id the loader set)?  the thread's slot (an array by
 *                 thread id), the call's start time
 *   get entry     nothing (a check's own string is the check's argument)
 *   check exit    the driver's two strings (32 bytes each: the bench's
 *                 strings are 29) and its result
 *   store exit    the store's bytes (32), compared with the thread's last
 *                 call's, with its result and length; with task_facts also
 *                 the writer's facts (ids, cgroup, uid/gid, parent, comm)
 *                 as plain loads; a repeat is counted and timed, anything
 *                 else goes to the ring as one 128-byte record
 * What a real recorder needs besides (any length, the path, the scope,
 * threads that collide, a full event, accounting of what it could not
 * send) it leaves out, so this is a lower bound, not a design.
 * Loaded by record_floor.c (tests/bench/guest.sh, make bench).
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "kernel_types.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 watched_ino;	/* the attribute's inode number */
const volatile bool task_facts;		/* compare the writer's facts too */

#define STR 32

struct slot {
	__u64 busy;
	__u64 start_ns;
	__u64 last_ts;
	__s64 vendor_ret;
	__s64 ret;
	__u64 len;
	__u64 facts[6];		/* pid/tid, cgroup, uid/gid, parent, comm */
	char local[STR];
	char remote[STR];
	char bytes[STR];
	/* the last call (a run's first): what a repeat must equal */
	__s64 last_ret;
	__u64 last_len;
	__u64 last_facts[6];
	char last_bytes[STR];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct slot);
} slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} records SEC(".maps");

__u64 sent, repeats;

static __always_inline struct slot *thread_slot(void)
{
	__u32 idx = (__u32)bpf_get_current_pid_tgid() & 1023;

	return bpf_map_lookup_elem(&slots, &idx);
}

SEC("fentry/sysfs_kf_write")
int BPF_PROG(record_store_entry, struct kernfs_open_file *of)
{
	struct slot *s;

	/* kernfs: the inode number is the node id's low word */
	if ((__u32)of->kn->id != watched_ino)
		return 0;
	s = thread_slot();
	if (!s)
		return 0;
	s->start_ns = bpf_ktime_get_ns();
	s->busy = 1;
	return 0;
}

SEC("fentry/intel_gvt_get_vfio_device_version")
int BPF_PROG(record_get)
{
	return 0;
}

SEC("fexit/intel_gvt_check_vfio_device_version")
int BPF_PROG(record_check, void *dev_priv, const char *self, const char *remote,
	     long ret)
{
	struct slot *s = thread_slot();

	if (!s || !s->busy)
		return 0;
	bpf_probe_read_kernel(s->local, STR, self);
	bpf_probe_read_kernel(s->remote, STR, remote);
	s->vendor_ret = ret;
	return 0;
}

SEC("fexit/sysfs_kf_write")
int BPF_PROG(record_store_exit, struct kernfs_open_file *of, char *buf,
	     __u64 count, long long pos, long ret)
{
	__u64 diff = 0;
	struct slot *s;

	if ((__u32)of->kn->id != watched_ino)
		return 0;
	s = thread_slot();
	if (!s || !s->busy)
		return 0;
	s->busy = 0;
	bpf_probe_read_kernel(s->bytes, STR, buf);
	if (task_facts) {
		struct task_struct *t = bpf_get_current_task_btf();
		const struct cred *c = t->cred;

		s->facts[0] = ((__u64)(__u32)t->tgid << 32) | (__u32)t->pid;
		s->facts[1] = t->cgroups->dfl_cgrp->kn->id;
		s->facts[2] = ((__u64)c->gid.val << 32) | c->uid.val;
		s->facts[3] = t->real_parent->tgid;
		__builtin_memcpy(&s->facts[4], t->comm, 16);
		for (int i = 0; i < 6; i++)
			diff |= s->facts[i] ^ s->last_facts[i];
	}
	for (int i = 0; i < STR / 8; i++)
		diff |= ((__u64 *)s->bytes)[i] ^ ((__u64 *)s->last_bytes)[i];
	diff |= (__u64)(s->last_ret ^ ret) | (s->last_len ^ count);
	if (!diff) {
		__sync_fetch_and_add(&repeats, 1);
		s->last_ts = bpf_ktime_get_ns();
		return 0;
	}
	__builtin_memcpy(s->last_bytes, s->bytes, STR);
	__builtin_memcpy(s->last_facts, s->facts, sizeof(s->facts));
	s->last_ret = ret;
	s->last_len = count;
	s->ret = ret;
	s->len = count;
	bpf_ringbuf_output(&records, s, 128, 0);
	__sync_fetch_and_add(&sent, 1);
	return 0;
}
