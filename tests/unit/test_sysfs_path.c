/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* test_sysfs_path.c - joining captured kernfs names, finding the parts. */
#include <string.h>

#include "../include/mdevver_trace.h"
#include "sysfs_path.h"
#include "unit.h"

/* Laid out as struct mdevver_event's path[][]: attribute first. */
struct names {
	char n[MDEVVER_PATH_DEPTH][MDEVVER_NAME_MAX];
	unsigned int depth;
};

/* names from the attribute upwards, NULL-terminated list */
static void set_names(struct names *p, const char *const *list)
{
	memset(p, 0, sizeof(*p));
	for (p->depth = 0; list[p->depth]; p->depth++)
		strcpy(p->n[p->depth], list[p->depth]);
}

#define TYPE_ATTR_PATH \
	"/sys/devices/pci0000:00/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/version"

static const char *const type_attr[] = {
	"version", "i915-GVTg_V5_4", "mdev_supported_types", "0000:00:02.0",
	"pci0000:00", "devices", NULL
};

static const char *const dev_attr[] = {
	"migration_version", "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001",
	"0000:00:02.0", "pci0000:00", "devices", NULL
};

static void test_join_type_attr(void)
{
	struct names p;
	char out[256];

	set_names(&p, type_attr);
	ASSERT_EQ(0, sysfs_path_join(out, sizeof(out), &p.n[0][0],
				     MDEVVER_NAME_MAX, p.depth, 0), "fits");
	ASSERT_STREQ(TYPE_ATTR_PATH, out, "full path");
}

static void test_join_device_attr(void)
{
	struct names p;
	char out[256];

	set_names(&p, dev_attr);
	ASSERT_EQ(0, sysfs_path_join(out, sizeof(out), &p.n[0][0],
				     MDEVVER_NAME_MAX, p.depth, 0), "fits");
	ASSERT_STREQ("/sys/devices/pci0000:00/0000:00:02.0/83b8f4f2-509f-382f-3c1e-e6bfe0fa1001/migration_version",
		     out, "device path");
}

static void test_join_depth0(void)
{
	char names[1][MDEVVER_NAME_MAX] = { "ignored" };
	char out[64];

	ASSERT_EQ(0, sysfs_path_join(out, sizeof(out), &names[0][0],
				     MDEVVER_NAME_MAX, 0, 0), "depth 0");
	ASSERT_STREQ("/sys", out, "just the root");
	ASSERT_EQ(0, sysfs_path_join(out, sizeof(out), &names[0][0],
				     MDEVVER_NAME_MAX, 0, 1), "depth 0 truncated");
	ASSERT_STREQ("/sys/...", out, "root and the gap");
	ASSERT_EQ(0, sysfs_path_join(out, sizeof(out), NULL, MDEVVER_NAME_MAX,
				     0, 0), "no names needed for depth 0");
	ASSERT_STREQ("/sys", out, "NULL names, depth 0");
}

static void test_join_truncated(void)
{
	struct names p;
	char out[256];

	set_names(&p, type_attr);
	ASSERT_EQ(0, sysfs_path_join(out, sizeof(out), &p.n[0][0],
				     MDEVVER_NAME_MAX, 2, 1), "depth 2");
	ASSERT_STREQ("/sys/.../i915-GVTg_V5_4/version", out, "gap after /sys");
	ASSERT_EQ(0, sysfs_path_join(out, sizeof(out), &p.n[0][0],
				     MDEVVER_NAME_MAX, 1, 1), "depth 1");
	ASSERT_STREQ("/sys/.../version", out, "only the attribute");
	ASSERT_EQ(0, sysfs_path_join(out, sizeof(out), &p.n[0][0],
				     MDEVVER_NAME_MAX, p.depth, 1), "full depth");
	ASSERT_STREQ("/sys/.../devices/pci0000:00/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/version",
		     out, "all names still shown");
}

static void test_join_out_too_small(void)
{
	struct names p;
	const size_t full = strlen(TYPE_ATTR_PATH);
	char out[256];
	size_t sz;

	set_names(&p, type_attr);
	/* every size from 1 up: cut prefix + NUL, -1, until it fits */
	for (sz = 1; sz <= full + 1; sz++) {
		int ret;

		memset(out, 'Z', sizeof(out));
		ret = sysfs_path_join(out, sz, &p.n[0][0], MDEVVER_NAME_MAX,
				      p.depth, 0);
		ASSERT_EQ(sz == full + 1 ? 0 : -1, ret, "-1 until it fits");
		ASSERT_EQ(sz - 1, strlen(out), "filled up to the NUL");
		ASSERT_MEMEQ(TYPE_ATTR_PATH, out, sz - 1, "a prefix of the path");
		ASSERT_EQ('Z', out[sz], "nothing beyond outsz");
	}
	memset(out, 'Z', sizeof(out));
	ASSERT_EQ(-1, sysfs_path_join(out, 0, &p.n[0][0], MDEVVER_NAME_MAX,
				      p.depth, 0), "outsz 0");
	ASSERT_EQ('Z', out[0], "outsz 0 writes nothing");

	memset(out, 'Z', sizeof(out));
	ASSERT_EQ(-1, sysfs_path_join(out, 7, &p.n[0][0], MDEVVER_NAME_MAX,
				      p.depth, 1), "truncated, outsz 7");
	ASSERT_STREQ("/sys/.", out, "cut inside the gap marker");
	ASSERT_EQ(-1, sysfs_path_join(out, 4, &p.n[0][0], MDEVVER_NAME_MAX,
				      0, 0), "depth 0, outsz 4");
	ASSERT_STREQ("/sy", out, "cut root");
	ASSERT_EQ(0, sysfs_path_join(out, 5, &p.n[0][0], MDEVVER_NAME_MAX,
				     0, 0), "depth 0, outsz 5");
	ASSERT_STREQ("/sys", out, "root fits");
}

static void test_join_unterminated_names(void)
{
	char names[3][8];
	char out[64];

	/* names[1] fills all 8 bytes, no NUL: it must end there */
	memset(names, 0, sizeof(names));
	strcpy(names[0], "attr");
	memcpy(names[1], "abcdefgh", 8);
	strcpy(names[2], "top");
	ASSERT_EQ(0, sysfs_path_join(out, sizeof(out), &names[0][0], 8, 3, 0),
		  "fits");
	ASSERT_STREQ("/sys/top/abcdefgh/attr", out, "8-byte name kept whole");

	/* the top-most name unterminated too: nothing read past the array */
	memcpy(names[2], "12345678", 8);
	ASSERT_EQ(0, sysfs_path_join(out, sizeof(out), &names[0][0], 8, 3, 0),
		  "fits");
	ASSERT_STREQ("/sys/12345678/abcdefgh/attr", out, "last name bounded");
}

static void test_join_empty_and_long_names(void)
{
	struct names p;
	char out[2048];
	char expect[2048];
	unsigned int i;

	/* a name BPF could not read is empty: kept as an empty component */
	memset(&p, 0, sizeof(p));
	strcpy(p.n[0], "version");
	strcpy(p.n[2], "top");
	ASSERT_EQ(0, sysfs_path_join(out, sizeof(out), &p.n[0][0],
				     MDEVVER_NAME_MAX, 3, 0), "fits");
	ASSERT_STREQ("/sys/top//version", out, "empty component");

	/* the deepest capture: 16 names of 63 characters */
	strcpy(expect, "/sys");
	for (i = 0; i < MDEVVER_PATH_DEPTH; i++) {
		memset(p.n[i], 'a' + (char)i, MDEVVER_NAME_MAX - 1);
		p.n[i][MDEVVER_NAME_MAX - 1] = '\0';
	}
	for (i = MDEVVER_PATH_DEPTH; i-- > 0;) {
		strcat(expect, "/");
		strcat(expect, p.n[i]);
	}
	ASSERT_EQ(0, sysfs_path_join(out, sizeof(out), &p.n[0][0],
				     MDEVVER_NAME_MAX, MDEVVER_PATH_DEPTH, 0),
		  "16 x 63 fits");
	ASSERT_STREQ(expect, out, "deepest path");
	ASSERT_EQ((size_t)4 + MDEVVER_PATH_DEPTH * MDEVVER_NAME_MAX, strlen(out),
		  "deepest path length");
}

static void test_locate_type_dir(void)
{
	struct names p;
	struct sysfs_attr_location loc;

	set_names(&p, type_attr);
	memset(&loc, 0xa5, sizeof(loc));
	sysfs_attr_locate(&p.n[0][0], MDEVVER_NAME_MAX, p.depth, &loc);
	ASSERT_STREQ("version", loc.attr, "attr");
	ASSERT_STREQ("i915-GVTg_V5_4", loc.mdev_type, "type");
	ASSERT_STREQ("0000:00:02.0", loc.parent, "parent");
	ASSERT_TRUE(loc.device == NULL, "no device");
	ASSERT_TRUE(loc.attr == p.n[0] && loc.mdev_type == p.n[1] &&
		    loc.parent == p.n[3], "pointers into names");

	/* exactly deep enough */
	sysfs_attr_locate(&p.n[0][0], MDEVVER_NAME_MAX, 4, &loc);
	ASSERT_STREQ("i915-GVTg_V5_4", loc.mdev_type, "depth 4: type");
	ASSERT_STREQ("0000:00:02.0", loc.parent, "depth 4: parent");
	ASSERT_TRUE(loc.device == NULL, "depth 4: no device");

	/* parent cut off */
	memset(&loc, 0xa5, sizeof(loc));
	sysfs_attr_locate(&p.n[0][0], MDEVVER_NAME_MAX, 3, &loc);
	ASSERT_STREQ("version", loc.attr, "depth 3: attr");
	ASSERT_STREQ("i915-GVTg_V5_4", loc.mdev_type, "depth 3: type");
	ASSERT_TRUE(loc.parent == NULL, "depth 3: no parent");
	ASSERT_TRUE(loc.device == NULL, "depth 3: no device");
}

static void test_locate_device(void)
{
	struct names p;
	struct sysfs_attr_location loc;

	set_names(&p, dev_attr);
	memset(&loc, 0xa5, sizeof(loc));
	sysfs_attr_locate(&p.n[0][0], MDEVVER_NAME_MAX, p.depth, &loc);
	ASSERT_STREQ("migration_version", loc.attr, "attr");
	ASSERT_STREQ("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001", loc.device, "device");
	ASSERT_STREQ("0000:00:02.0", loc.parent, "parent");
	ASSERT_TRUE(loc.mdev_type == NULL, "type left to the caller");

	sysfs_attr_locate(&p.n[0][0], MDEVVER_NAME_MAX, 3, &loc);
	ASSERT_STREQ("0000:00:02.0", loc.parent, "depth 3: parent");
	ASSERT_STREQ("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001", loc.device,
		     "depth 3: device");
}

static void test_locate_short(void)
{
	struct names p;
	struct sysfs_attr_location loc;

	set_names(&p, dev_attr);
	memset(&loc, 0xa5, sizeof(loc));
	sysfs_attr_locate(&p.n[0][0], MDEVVER_NAME_MAX, 0, &loc);
	ASSERT_TRUE(!loc.attr && !loc.parent && !loc.mdev_type && !loc.device,
		    "depth 0: all NULL");
	sysfs_attr_locate(NULL, MDEVVER_NAME_MAX, 0, &loc);
	ASSERT_TRUE(!loc.attr && !loc.parent && !loc.mdev_type && !loc.device,
		    "depth 0, NULL names");

	memset(&loc, 0xa5, sizeof(loc));
	sysfs_attr_locate(&p.n[0][0], MDEVVER_NAME_MAX, 1, &loc);
	ASSERT_STREQ("migration_version", loc.attr, "depth 1: attr");
	ASSERT_TRUE(!loc.parent && !loc.mdev_type && !loc.device,
		    "depth 1: nothing else");

	memset(&loc, 0xa5, sizeof(loc));
	sysfs_attr_locate(&p.n[0][0], MDEVVER_NAME_MAX, 2, &loc);
	ASSERT_STREQ("migration_version", loc.attr, "depth 2: attr");
	ASSERT_STREQ("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001", loc.device,
		     "depth 2: device");
	ASSERT_TRUE(!loc.parent && !loc.mdev_type, "depth 2: no parent, type");

	/* a type directory two deep: names[2] is not there to look at */
	set_names(&p, type_attr);
	sysfs_attr_locate(&p.n[0][0], MDEVVER_NAME_MAX, 2, &loc);
	ASSERT_STREQ("i915-GVTg_V5_4", loc.device, "depth 2: taken as device");
	ASSERT_TRUE(!loc.parent && !loc.mdev_type, "depth 2: nothing more");
}

static void test_locate_name_match(void)
{
	static const char *const near[] = {
		"mdev_supported_type", "mdev_supported_typesX",
		"MDEV_SUPPORTED_TYPES", "", NULL
	};
	struct names p;
	struct sysfs_attr_location loc;
	unsigned int i;

	/* only the exact directory name marks a type directory */
	set_names(&p, type_attr);
	for (i = 0; near[i]; i++) {
		memset(p.n[2], 0, MDEVVER_NAME_MAX);
		strcpy(p.n[2], near[i]);
		sysfs_attr_locate(&p.n[0][0], MDEVVER_NAME_MAX, p.depth, &loc);
		ASSERT_TRUE(loc.mdev_type == NULL, "not a type directory");
		ASSERT_TRUE(loc.device == p.n[1], "device rule instead");
		ASSERT_TRUE(loc.parent == p.n[2], "parent is names[2]");
	}
}

static void test_locate_unterminated(void)
{
	/* "mdev_supported_types" is 20 bytes: with name_max 20 it has no NUL
	 * and still is that name (a missing NUL ends the name) */
	char names[4][20];
	struct sysfs_attr_location loc;

	memset(names, 0, sizeof(names));
	strcpy(names[0], "version");
	strcpy(names[1], "t");
	memcpy(names[2], "mdev_supported_types", 20);
	strcpy(names[3], "parent");
	sysfs_attr_locate(&names[0][0], 20, 4, &loc);
	ASSERT_TRUE(loc.mdev_type == names[1], "type found");
	ASSERT_TRUE(loc.parent == names[3], "parent found");
	ASSERT_TRUE(loc.device == NULL, "no device");

	/* with name_max 19 the same bytes are "mdev_supported_type" + 's'
	 * of the next entry: must not match by reading across */
	{
		char n2[4][19];

		memset(n2, 0, sizeof(n2));
		strcpy(n2[0], "version");
		strcpy(n2[1], "t");
		memcpy(n2[2], "mdev_supported_type", 19);
		n2[3][0] = 's';
		sysfs_attr_locate(&n2[0][0], 19, 4, &loc);
		ASSERT_TRUE(loc.mdev_type == NULL, "no match across entries");
		ASSERT_TRUE(loc.device == n2[1], "device rule");
	}
}

int main(void)
{
	RUN_TEST(test_join_type_attr);
	RUN_TEST(test_join_device_attr);
	RUN_TEST(test_join_depth0);
	RUN_TEST(test_join_truncated);
	RUN_TEST(test_join_out_too_small);
	RUN_TEST(test_join_unterminated_names);
	RUN_TEST(test_join_empty_and_long_names);
	RUN_TEST(test_locate_type_dir);
	RUN_TEST(test_locate_device);
	RUN_TEST(test_locate_short);
	RUN_TEST(test_locate_name_match);
	RUN_TEST(test_locate_unterminated);
	return unit_exit();
}
