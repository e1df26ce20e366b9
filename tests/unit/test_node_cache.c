// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests for user/record/node_cache.c (readlink replaced: no sysfs). */
#include "ev_fixture.h"
#include "node_cache.h"
#include "unit.h"

static int readlinks;

static ssize_t fake_readlink(const char *path, char *buf, size_t sz)
{
	static const char target[] = "../../../mdev_supported_types/i915-GVTg_V5_4";

	readlinks++;
	if (strcmp(path, "/sys/devices/mdevsim/0000:00:02.0/4b7e2d3a/mdev_type"))
		return -1;
	if (sz > sizeof(target) - 1)
		sz = sizeof(target) - 1;
	memcpy(buf, target, sz);
	return (ssize_t)sz;
}

static int bstr(struct bytes b, const char *s)
{
	return s ? b.p && b.len == strlen(s) && !memcmp(b.p, s, b.len) : !b.p;
}

static struct mdevver_event e;

static void test_type_dir(void)
{
	struct node_cache *c = node_cache_new(8);
	const struct record_node *n;

	node_cache_set_readlink(c, fake_readlink);
	readlinks = 0;
	ev_check(&e);
	n = node_cache_get(c, &e);
	ASSERT_TRUE(bstr(n->path, "/sys/devices/mdevsim/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_8/version"), "path");
	ASSERT_TRUE(bstr(n->attr, "version"), "attr");
	ASSERT_TRUE(bstr(n->parent, "0000:00:02.0"), "parent");
	ASSERT_TRUE(bstr(n->mdev_type, "i915-GVTg_V5_8"), "type");
	ASSERT_TRUE(bstr(n->device, NULL), "no device");
	ASSERT_EQ(0, readlinks, "a type directory needs no link");
	node_cache_free(c);
}

static void test_device_dir_once(void)
{
	struct node_cache *c = node_cache_new(8);
	struct node_cache_stats st;
	const struct record_node *n = NULL;

	node_cache_set_readlink(c, fake_readlink);
	readlinks = 0;
	ev_check(&e);
	ev_path(&e, EV_DEV_PATH, 5);
	e.node_id = 7;
	for (int i = 0; i < 1000; i++)
		n = node_cache_get(c, &e);
	ASSERT_EQ(1, readlinks, "one readlink for 1000 events of one node");
	ASSERT_TRUE(bstr(n->mdev_type, "i915-GVTg_V5_4"), "type from the link");
	ASSERT_TRUE(bstr(n->device, "4b7e2d3a"), "device");
	ASSERT_TRUE(bstr(n->attr, "migration_version"), "attr");
	node_cache_stats(c, &st);
	ASSERT_EQ(999, st.hits, "hits");
	ASSERT_EQ(1, st.computed, "computed once");
	/* node id 0: unknown, computed every time, never cached */
	e.node_id = 0;
	node_cache_get(c, &e);
	node_cache_get(c, &e);
	ASSERT_EQ(3, readlinks, "node id 0 is not cached");
	node_cache_stats(c, &st);
	ASSERT_EQ(1, st.entries, "still one entry");
	node_cache_free(c);
}

static void test_truncated(void)
{
	struct node_cache *c = node_cache_new(8);
	const struct record_node *n;

	node_cache_set_readlink(c, fake_readlink);
	readlinks = 0;
	ev_check(&e);
	ev_path(&e, EV_DEV_PATH, 5);
	e.flags |= MDEVVER_F_PATH_TRUNCATED;
	n = node_cache_get(c, &e);
	ASSERT_TRUE(bstr(n->path, "/sys/.../devices/mdevsim/0000:00:02.0/4b7e2d3a/migration_version"), "cut path");
	ASSERT_TRUE(n->path_truncated, "flagged");
	ASSERT_TRUE(bstr(n->mdev_type, NULL), "no link read for a cut path");
	ASSERT_EQ(0, readlinks, "no readlink");
	/* a depth beyond the array is clamped; names without NUL are cut */
	e.node_id = 43;
	e.flags = 0;
	memset(e.path, 'a', sizeof(e.path));
	e.path_depth = 200;
	n = node_cache_get(c, &e);
	ASSERT_EQ(4 + MDEVVER_PATH_DEPTH * (1 + MDEVVER_NAME_MAX), n->path.len, "16 full names");
	ASSERT_EQ(MDEVVER_NAME_MAX, n->attr.len, "attr cut at the array");
	node_cache_free(c);
}

static void test_full(void)
{
	struct node_cache *c = node_cache_new(4);
	struct node_cache_stats st;
	const struct record_node *n;

	node_cache_set_readlink(c, fake_readlink);
	ev_check(&e);
	for (unsigned int id = 1; id <= 9; id++) {
		e.node_id = id;
		snprintf(e.path[1], MDEVVER_NAME_MAX, "type%u", id);
		n = node_cache_get(c, &e);
		ASSERT_TRUE(bstr(n->mdev_type, e.path[1]), "facts of the node asked for");
	}
	node_cache_stats(c, &st);
	ASSERT_EQ(2, st.resets, "emptied when full (after 4 and 8)");
	ASSERT_EQ(1, st.entries, "node 9 alone");
	e.node_id = 9;
	n = node_cache_get(c, &e);
	ASSERT_TRUE(bstr(n->mdev_type, "type9"), "still there");
	node_cache_stats(c, &st);
	ASSERT_EQ(1, st.hits, "a hit");
	node_cache_free(c);
}

int main(void)
{
	RUN_TEST(test_type_dir);
	RUN_TEST(test_device_dir_once);
	RUN_TEST(test_truncated);
	RUN_TEST(test_full);
	return unit_exit();
}
