/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * vm_name.h - the VM (or systemd unit) a task belongs to, from its cgroup.
 *
 * libvirt puts each QEMU process into a systemd scope named
 * machine-qemu\x2d<id>\x2d<name>.scope (systemd escapes '-' in unit names as
 * \x2d); any other process is named by the last unit (.scope, .service) on
 * its cgroup path.  Names go into records only, never into metric labels
 * (their number is unbounded).
 */
#ifndef MDEVVER_VM_NAME_H
#define MDEVVER_VM_NAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VM_NAME_MAX 256

struct cgroup_names {
	char vm[VM_NAME_MAX];	/* "" when the cgroup is not a VM's */
	char unit[VM_NAME_MAX];	/* "" when no unit is on the path */
};

/*
 * Pure: the names in one cgroup v2 path ("/machine.slice/machine-qemu\x2d3
 * \x2dguest\x2d1.scope/libvirt/emulator").  The VM name is unescaped
 * (\xNN -> byte); the unit is the unit's name as systemd prints it.
 */
void cgroup_names_of_path(const char *path, size_t len, struct cgroup_names *out);

/*
 * The names of pid's cgroup, cached by cgroup id (a process that already
 * exited is named by an earlier process of the same cgroup).  Returns NULL
 * when neither the cache nor /proc/<pid>/cgroup knows it.  The result is
 * valid until the next call.
 */
const struct cgroup_names *cgroup_names_of_task(uint32_t pid, uint64_t cgroup_id);

#endif
