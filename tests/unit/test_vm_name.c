/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* test_vm_name.c - the VM or unit a cgroup path names. */
#include <string.h>

#include "vm_name.h"
#include "unit.h"

static void names(const char *path, struct cgroup_names *out)
{
	cgroup_names_of_path(path, strlen(path), out);
}

static void test_libvirt_scope(void)
{
	struct cgroup_names n;

	names("/machine.slice/machine-qemu\\x2d3\\x2dguest\\x2done.scope/libvirt/emulator", &n);
	ASSERT_STREQ("guest-one", n.vm, "libvirt VM name, unescaped");
	ASSERT_STREQ("machine-qemu\\x2d3\\x2dguest\\x2done.scope", n.unit, "its scope");
	names("/machine.slice/machine-qemu\\x2d12\\x2dvm.scope/vcpu0", &n);
	ASSERT_STREQ("vm", n.vm, "vcpu thread's cgroup");
	/* escaped bytes other than '-' come out as the bytes */
	names("/machine.slice/machine-qemu\\x2d1\\x2da\\x5cb.scope", &n);
	ASSERT_STREQ("a\\b", n.vm, "\\x5c is a backslash");
}

static void test_other_units(void)
{
	struct cgroup_names n;

	names("/system.slice/libvirtd.service", &n);
	ASSERT_STREQ("", n.vm, "a service is no VM");
	ASSERT_STREQ("libvirtd.service", n.unit, "the service");
	names("/user.slice/user-0.slice/session-3.scope", &n);
	ASSERT_STREQ("session-3.scope", n.unit, "a login session");
	names("/", &n);
	ASSERT_STREQ("", n.unit, "root cgroup: no unit");
	ASSERT_STREQ("", n.vm, "root cgroup: no VM");
}

static void test_malformed(void)
{
	struct cgroup_names n;

	/* no id, no separator, nothing after it: a scope, but no VM name */
	names("/machine.slice/machine-qemu\\x2dguest.scope", &n);
	ASSERT_STREQ("", n.vm, "no numeric id");
	names("/machine.slice/machine-qemu\\x2d5.scope", &n);
	ASSERT_STREQ("", n.vm, "id without a name");
	names("/machine.slice/machine-qemu\\x2d5\\x2d.scope", &n);
	ASSERT_STREQ("", n.vm, "empty name");
	/* a truncated escape stays as it is */
	names("/machine.slice/machine-qemu\\x2d5\\x2dab\\x2.scope", &n);
	ASSERT_STREQ("ab\\x2", n.vm, "truncated escape kept");
}

int main(void)
{
	RUN_TEST(test_libvirt_scope);
	RUN_TEST(test_other_units);
	RUN_TEST(test_malformed);
	return unit_exit();
}
