// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_core_btf.c - the small CO-RE target (user/core/core_btf.c) says
 * what vmlinux's BTF says about every type a relocation can reach: this
 * machine's vmlinux, the kernel types the BPF object reads, compared with
 * libbpf's parse of the whole file -- sizes, member names, bit offsets and
 * bitfield sizes, each member's kind and (pointers aside) size, enum
 * values -- and nothing of a name vmlinux does not have.  Module types
 * are tested in the VM, where modules with BTF are loaded (the lifecycle
 * programs read vfio's and mdev's types; vm_core_btf_target).  Needs
 * /sys/kernel/btf/vmlinux (every build host of this project has it);
 * without it the test fails rather than passing empty.
 */
#include <bpf/btf.h>

#include "btf_scan.h"
#include "core_btf.h"
#include "unit.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"

static struct btf_raw raw;
static struct btf *full, *small;
static uint32_t small_types;

/* what the object's own BTF names (bpftool btf dump of the .bpf.o), with
 * a flavour and names that are no kernel type */
static const char *const names[] = {
	"task_struct", "kernfs_node", "kernfs_node___old", "kernfs_node___new",
	"kernfs_open_file", "seq_file", "cred", "css_set", "cgroup", "file",
	"inode", "super_block", "pt_regs", "iovec", "kernfs_node_type",
	"kuid_t", "size_t", "loff_t", "mdevver_event", "mdevver_no_such_type",
};

static void test_build(void)
{
	size_t size = 0;
	void *buf;

	ASSERT_EQ(0, btf_raw_read(VMLINUX, &raw), "read vmlinux BTF");
	full = btf__parse(VMLINUX, NULL);
	ASSERT_TRUE(full != NULL, "libbpf parses vmlinux BTF");
	buf = core_btf_build(&raw, NULL, 0, names, sizeof(names) / sizeof(names[0]), &size,
			     &small_types);
	ASSERT_TRUE(buf != NULL, "built");
	small = btf__new(buf, size);
	free(buf);
	ASSERT_TRUE(small != NULL, "libbpf accepts the small BTF");
	ASSERT_EQ((long)small_types, (long)btf__type_cnt(small) - 1, "type count");
	printf("  (%u of %u types, %zu bytes)\n", small_types, btf__type_cnt(full) - 1, size);
	/* small: the whole point */
	ASSERT_TRUE(small_types * 20 < btf__type_cnt(full), "under 5% of vmlinux's types");
}

/* kind and size of a member's type, modifiers and typedefs skipped */
static void resolved(const struct btf *btf, __u32 id, int *kind, long *size)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	*kind = t ? (int)btf_kind(t) : -1;
	*size = t && !btf_is_ptr(t) ? (long)btf__resolve_size(btf, id) : 8;
}

/* t (of full) and u (of small): the same type, as far as CO-RE can tell */
static void same_type(const struct btf_type *t, const struct btf_type *u, const char *what)
{
	ASSERT_EQ(btf_kind(t), btf_kind(u), what);
	ASSERT_EQ(btf_vlen(t), btf_vlen(u), what);
	ASSERT_EQ(btf_kflag(t), btf_kflag(u), what);
	if (btf_is_composite(t) || btf_is_enum(t) || btf_is_enum64(t))
		ASSERT_EQ(t->size, u->size, what);
	if (btf_is_composite(t)) {
		const struct btf_member *a = btf_members(t), *b = btf_members(u);

		for (__u16 i = 0; i < btf_vlen(t); i++) {
			int ka, kb;
			long sa, sb;

			ASSERT_STREQ(btf__name_by_offset(full, a[i].name_off),
				     btf__name_by_offset(small, b[i].name_off), what);
			ASSERT_EQ(a[i].offset, b[i].offset, what);
			resolved(full, a[i].type, &ka, &sa);
			resolved(small, b[i].type, &kb, &sb);
			ASSERT_EQ(ka, kb, btf__name_by_offset(full, a[i].name_off));
			ASSERT_EQ(sa, sb, btf__name_by_offset(full, a[i].name_off));
		}
	}
	if (btf_is_enum(t)) {
		const struct btf_enum *a = btf_enum(t), *b = btf_enum(u);

		for (__u16 i = 0; i < btf_vlen(t); i++) {
			ASSERT_STREQ(btf__name_by_offset(full, a[i].name_off),
				     btf__name_by_offset(small, b[i].name_off), what);
			ASSERT_EQ(a[i].val, b[i].val, what);
		}
	}
}

static int kinds[] = { BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_ENUM, BTF_KIND_TYPEDEF };

static void test_same_as_vmlinux(void)
{
	int compared = 0;

	ASSERT_TRUE(small != NULL, "built (test_build)");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char name[64];
		const char *f = strstr(names[i], "___");

		snprintf(name, sizeof(name), "%.*s",
			 (int)(f ? f - names[i] : (long)strlen(names[i])), names[i]);
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			int a = btf__find_by_name_kind(full, name, kinds[k]);
			int b = btf__find_by_name_kind(small, name, kinds[k]);

			if (a <= 0) {
				ASSERT_TRUE(b <= 0, name);	/* nothing vmlinux lacks */
				continue;
			}
			ASSERT_TRUE(b > 0, name);
			same_type(btf__type_by_id(full, a), btf__type_by_id(small, b), name);
			compared++;
		}
	}
	ASSERT_TRUE(compared >= 15, "the kernel types were compared");
	ASSERT_TRUE(btf__find_by_name_kind(small, "mdevver_no_such_type", BTF_KIND_STRUCT) <= 0,
		    "a made-up name is not there");
}

/* what a kept type embeds is there, pointers are pointers to void */
static void test_closure(void)
{
	int id;
	const struct btf_type *t;

	ASSERT_TRUE(small != NULL, "built (test_build)");
	id = btf__find_by_name_kind(small, "task_struct", BTF_KIND_STRUCT);
	ASSERT_TRUE(id > 0, "task_struct");
	t = btf__type_by_id(small, id);
	for (__u16 i = 0; i < btf_vlen(t); i++) {
		const struct btf_type *m = btf__type_by_id(small, btf_members(t)[i].type);

		ASSERT_TRUE(m != NULL, "member type present");
		if (btf_is_ptr(m))
			ASSERT_EQ(0u, m->type, "a pointer points to void");
	}
}

static void test_not_btf(void)
{
	struct btf_raw r;
	size_t size;
	uint32_t types;

	ASSERT_EQ(0, btf_raw_read("/proc/self/cmdline", &r), "read a non-BTF file");
	ASSERT_TRUE(core_btf_build(&r, NULL, 0, names, 1, &size, &types) == NULL,
		    "not BTF: nothing built");
	btf_raw_free(&r);
}

int main(void)
{
	RUN_TEST(test_build);
	RUN_TEST(test_same_as_vmlinux);
	RUN_TEST(test_closure);
	RUN_TEST(test_not_btf);
	btf__free(small);
	btf__free(full);
	btf_raw_free(&raw);
	return unit_exit();
}
