// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_btf_scan.c - the raw BTF walk (user/core/btf_scan.c) gives libbpf's
 * answer: for every 50th FUNC of this machine's vmlinux and of each loaded
 * module's split BTF, and for names that are no function (a struct, a
 * made-up name).  Needs /sys/kernel/btf/vmlinux (every build host of this
 * project has it); without it the test fails rather than passing empty.
 */
#include <dirent.h>
#include <bpf/btf.h>

#include "btf_scan.h"
#include "unit.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"

static struct btf_raw raw_base;
static struct btf *base;

static int compared;
static long base_count;	/* vmlinux's types, by the walk */

/* Every 50th FUNC of btf (ids from first) agrees; counted in compared. */
static void agree_on_funcs(const struct btf *btf, const struct btf_raw *raw,
			   const struct btf_raw *rbase, __u32 first)
{

	for (__u32 id = first; id < btf__type_cnt(btf); id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!btf_is_func(t) || id % 50)
			continue;
		const char *name = btf__name_by_offset(btf, t->name_off);
		__u32 raw_id = 0;

		ASSERT_EQ(1, btf_raw_has_func(raw, rbase, name), name);
		/* the id an attach names: libbpf's (the first FUNC of
		 * that name, as both search from the start) */
		ASSERT_EQ(1, btf_raw_func_id(raw, rbase, rbase ? (__u32)base_count : 0,
					     name, &raw_id), name);
		ASSERT_EQ(btf__find_by_name_kind(btf, name, BTF_KIND_FUNC), (int)raw_id, name);
		compared++;
	}
}

static void test_vmlinux(void)
{
	ASSERT_EQ(0, btf_raw_read(VMLINUX, &raw_base), "read vmlinux BTF");
	base = btf__parse(VMLINUX, NULL);
	ASSERT_TRUE(base != NULL, "libbpf parses vmlinux BTF");
	base_count = btf_raw_type_count(&raw_base);
	ASSERT_EQ((long)btf__type_cnt(base) - 1, base_count, "vmlinux type count");
	agree_on_funcs(base, &raw_base, NULL, 1);
	ASSERT_TRUE(compared > 100, "vmlinux: more than 100 functions compared");
	ASSERT_EQ(1, btf_raw_has_func(&raw_base, NULL, "vfs_write"), "vfs_write");
	ASSERT_EQ(0, btf_raw_has_func(&raw_base, NULL, "task_struct"), "a struct is no FUNC");
	ASSERT_EQ(0, btf_raw_has_func(&raw_base, NULL, "mdevver_no_such_function"), "made up");
}

/* several names in one walk: each as libbpf finds it, 0 for no FUNC */
static void test_many_in_one_walk(void)
{
	const char *names[] = { "vfs_write", "mdevver_no_such_function", "vfs_read",
				"task_struct", "sysfs_kf_write" };
	__u32 ids[5], count = 0;

	ASSERT_TRUE(base != NULL, "vmlinux parsed (test_vmlinux)");
	ASSERT_EQ(0, btf_raw_func_ids(&raw_base, NULL, 0, names, 5, ids, &count), "walk");
	ASSERT_EQ(base_count, (long)count, "count");
	for (int i = 0; i < 5; i++) {
		int want = btf__find_by_name_kind(base, names[i], BTF_KIND_FUNC);

		ASSERT_EQ(want > 0 ? want : 0, (int)ids[i], names[i]);
	}
	ASSERT_TRUE(ids[0] && ids[2], "vfs_write and vfs_read found");
}

static void test_modules(void)
{
	struct dirent *de;
	int mods = 0;
	DIR *dir;

	ASSERT_TRUE(base != NULL, "vmlinux parsed (test_vmlinux)");
	dir = opendir("/sys/kernel/btf");
	ASSERT_TRUE(dir != NULL, "/sys/kernel/btf");
	while ((de = readdir(dir))) {
		char path[512];
		struct btf_raw raw;
		struct btf *btf;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux"))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/btf/%s", de->d_name);
		btf = btf__parse_split(path, base);
		if (!btf)
			continue;
		ASSERT_EQ(0, btf_raw_read(path, &raw), path);
		agree_on_funcs(btf, &raw, &raw_base, btf__type_cnt(base));
		/* a vmlinux function is not the module's */
		ASSERT_EQ(0, btf_raw_has_func(&raw, &raw_base, "vfs_write"), path);
		btf_raw_free(&raw);
		btf__free(btf);
		mods++;
	}
	closedir(dir);
	printf("  (%d module BTFs, %d functions compared in all)\n", mods, compared);
}

static void test_not_btf(void)
{
	struct btf_raw r;

	ASSERT_EQ(-1, btf_raw_read("/nonexistent/btf", &r), "missing file");
	ASSERT_EQ(0, btf_raw_read("/proc/self/cmdline", &r), "read a non-BTF file");
	ASSERT_EQ(-1, btf_raw_has_func(&r, NULL, "vfs_write"), "not BTF: unknown");
	ASSERT_EQ(-1, btf_raw_type_count(&r), "not BTF: no count");
	btf_raw_free(&r);
}

int main(void)
{
	RUN_TEST(test_vmlinux);
	RUN_TEST(test_many_in_one_walk);
	RUN_TEST(test_modules);
	RUN_TEST(test_not_btf);
	btf__free(base);
	btf_raw_free(&raw_base);
	return unit_exit();
}
