// SPDX-License-Identifier: GPL-2.0
/*
 * mdevsim - a simulated Intel GVT-g vGPU parent for testing mdevver-trace.
 *
 * The mdev "version" attribute (2019 proposal "drm/i915/gvt: export mdev
 * device version to sysfs for Intel vGPU") and its later "migration_version"
 * form were never merged upstream, so no stock kernel has them.  This module
 * recreates their sysfs layout and semantics closely enough that the tracer
 * can be tested against a real kernel in a VM:
 *
 *   /sys/devices/mdevsim/0000:00:02.0/                    parent ("the iGPU")
 *     sim_notes                                           unrelated rw attr
 *     mdev_supported_types/i915-GVTg_V5_{2,4,8}/
 *       name description device_api available_instances
 *       version            %08x-%04x-%s\n        (2019 patch)
 *       migration_version  %04x-%04x-%s-%08x\n   (later revisions)
 *       devices/<uuid> -> mdev device
 *     4b7e2d3a-1c9f-4e55-9a2b-6c0d8e1f2a3b/                one mdev device
 *       migration_version
 *       mdev_type -> ../mdev_supported_types/i915-GVTg_V5_4
 *
 * It deliberately uses plain kobjects and devices rather than the mdev
 * framework, whose API changed repeatedly; this file must build unchanged
 * on 6.1, 6.12 and 7.x.
 *
 * The intel_gvt_* functions keep the patch's names and signatures: the
 * tracer's vendor-layer probe attaches fentry/fexit to them by name, so they
 * must stay real, un-inlined, un-cloned functions (see GVT_HOOK).
 *
 * Module parameters (writable at run time under
 * /sys/module/mdevsim/parameters/): devid, gen, sw_version.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

static unsigned int devid = 0x193b;
module_param(devid, uint, 0644);
MODULE_PARM_DESC(devid, "PCI device id of the simulated iGPU (default 0x193b)");

static unsigned int gen = 9;
module_param(gen, uint, 0644);
MODULE_PARM_DESC(gen, "Graphics generation; only 8 and 9 support versions (default 9)");

static unsigned int sw_version = 1;
module_param(sw_version, uint, 0644);
MODULE_PARM_DESC(sw_version, "GVT software version in migration_version (default 1)");

/* The VM harness's self-test (tests/vm/kernel-log-selftest.sh) injects a
 * kernel warning where a test can cause one: a version check. */
static unsigned int warn_on_store;
module_param(warn_on_store, uint, 0644);
MODULE_PARM_DESC(warn_on_store, "Self-test of the VM harness's kernel log check: 1 = the first "
		 "version store WARNs (WARN_ON_ONCE), 2 = every store WARNs (default 0: never)");

/* Just the fields GVT's version code reads from the real i915 private. */
struct drm_i915_private {
	unsigned int devid;
	unsigned int gen;
	unsigned int sw_version;
};

#define IS_GEN(dev_priv, n)	((dev_priv)->gen == (n))
#define INTEL_DEVID(dev_priv)	((dev_priv)->devid)

/* VFIO_DEVICE_FLAGS_PCI from uapi/linux/vfio.h, spelled out to keep the
 * module independent of vfio headers. */
#define GVT_VFIO_DEVICE_FLAGS_PCI		(1 << 1)
#define GVT_VFIO_DEVICE_VENDOR_ID \
	((0x8086) | ((GVT_VFIO_DEVICE_FLAGS_PCI) << 16))
#define GVT_DEVICE_VERSION_COMMON_LEN		8
#define GVT_DEVICE_VERSION_DEVICE_ID_LEN	4
#define GVT_PCI_VENDOR_INTEL			0x8086

/*
 * noinline alone is not enough: GCC may still emit .isra/.constprop clones or
 * propagate return values into callers, and then fentry on the plain name
 * never fires (or the symbol does not exist).  noipa forbids all of that;
 * __used keeps the symbols even if a future refactor drops a caller.
 */
#if defined(__has_attribute)
#if __has_attribute(__noipa__)
#define GVT_NOIPA __attribute__((__noipa__))
#endif
#endif
#ifndef GVT_NOIPA
#define GVT_NOIPA
#endif
#define GVT_HOOK noinline __used GVT_NOIPA

/* Non-static so their names survive in kallsyms and BTF exactly as written;
 * the prototypes keep -Wmissing-prototypes quiet on newer kernels. */
ssize_t intel_gvt_get_vfio_device_version_len(struct drm_i915_private *dev_priv);
ssize_t intel_gvt_get_vfio_device_version(struct drm_i915_private *dev_priv,
					  char *buf, const char *mdev_type);
ssize_t intel_gvt_get_vfio_device_migration_version(struct drm_i915_private *dev_priv,
						    char *buf, const char *mdev_type);
ssize_t intel_gvt_check_vfio_device_version(struct drm_i915_private *dev_priv,
					    const char *self, const char *remote);

/* ---- device_version.c, as in the patch ---------------------------------- */

static bool is_compatible(const char *self, const char *remote)
{
	if (strlen(remote) != strlen(self))
		return false;

	return (strncmp(self, remote, strlen(self))) ? false : true;
}

GVT_HOOK ssize_t
intel_gvt_get_vfio_device_version_len(struct drm_i915_private *dev_priv)
{
	if (!IS_GEN(dev_priv, 8) && !IS_GEN(dev_priv, 9))
		return -ENODEV;

	return PAGE_SIZE;
}

GVT_HOOK ssize_t
intel_gvt_get_vfio_device_version(struct drm_i915_private *dev_priv,
				  char *buf, const char *mdev_type)
{
	int cnt = 0, ret = 0;
	const char *str = NULL;

	/* currently only gen8 & gen9 are supported */
	if (!IS_GEN(dev_priv, 8) && !IS_GEN(dev_priv, 9))
		return -ENODEV;

	/* first 32 bit common part specifying vendor id and it's a pci
	 * device
	 */
	cnt = snprintf(buf, GVT_DEVICE_VERSION_COMMON_LEN + 1,
		       "%08x", GVT_VFIO_DEVICE_VENDOR_ID);
	buf += cnt;
	ret += cnt;

	/* vendor proprietary part: device id + mdev type */
	/* device id */
	cnt = snprintf(buf, GVT_DEVICE_VERSION_DEVICE_ID_LEN + 2,
		       "-%04x", INTEL_DEVID(dev_priv));
	buf += cnt;
	ret += cnt;

	/* mdev type */
	str = mdev_type;
	cnt = snprintf(buf, strlen(str) + 3, "-%s\n", mdev_type);
	buf += cnt;
	ret += cnt;

	return ret;
}

/* Later revisions: "migration_version", vendor-device-type-software version,
 * e.g. "8086-193b-i915-GVTg_V5_4-00000001\n". */
GVT_HOOK ssize_t
intel_gvt_get_vfio_device_migration_version(struct drm_i915_private *dev_priv,
					    char *buf, const char *mdev_type)
{
	if (!IS_GEN(dev_priv, 8) && !IS_GEN(dev_priv, 9))
		return -ENODEV;

	return scnprintf(buf, PAGE_SIZE, "%04x-%04x-%s-%08x\n",
			 GVT_PCI_VENDOR_INTEL, INTEL_DEVID(dev_priv), mdev_type,
			 dev_priv->sw_version);
}

GVT_HOOK ssize_t
intel_gvt_check_vfio_device_version(struct drm_i915_private *dev_priv,
				    const char *self, const char *remote)
{

	/* currently only gen8 & gen9 are supported */
	if (!IS_GEN(dev_priv, 8) && !IS_GEN(dev_priv, 9))
		return -ENODEV;

	if (!is_compatible(self, remote))
		return -EINVAL;

	return 0;
}

/* ---- the simulated i915 ------------------------------------------------- */

static struct drm_i915_private sim_i915;

/* The module parameters are the "hardware": re-read them on every access so
 * tests can switch gen/devid at run time. */
static struct drm_i915_private *kdev_to_i915(struct device *dev)
{
	struct drm_i915_private *i915 = dev_get_drvdata(dev);

	i915->devid = READ_ONCE(devid);
	i915->gen = READ_ONCE(gen);
	i915->sw_version = READ_ONCE(sw_version);
	return i915;
}

typedef ssize_t (*gvt_version_fn)(struct drm_i915_private *, char *, const char *);

/* version_store from the patch's gvt.c; @get selects version or
 * migration_version, the check is the same function for both. */
static ssize_t gvt_version_store(struct device *dev, const char *mdev_type,
				 gvt_version_fn get, const char *buf, size_t count)
{
	char *remote = NULL, *self = NULL;
	int len, ret = 0;
	struct drm_i915_private *i915 = kdev_to_i915(dev);

	if (warn_on_store == 1)
		WARN_ON_ONCE(1);
	else if (warn_on_store > 1)
		WARN(1, "mdevsim: warn_on_store=%u: injected warning\n", warn_on_store);

	len = intel_gvt_get_vfio_device_version_len(i915);
	if (len < 0)
		return len;

	self = kmalloc(len, GFP_KERNEL);
	if (!self)
		return -ENOMEM;

	ret = get(i915, self, mdev_type);
	if (ret < 0)
		goto out;

	remote = kstrndup(buf, count, GFP_KERNEL);
	if (!remote) {
		ret = -ENOMEM;
		goto out;
	}

	ret = intel_gvt_check_vfio_device_version(i915, self, remote);

out:
	kfree(self);
	kfree(remote);
	return (ret < 0 ? ret : count);
}

/* ---- mdev_supported_types/<type>/ --------------------------------------- */

struct gvt_type {
	struct kobject kobj;
	struct kobject *devices_kobj;
	struct device *parent;		/* the device owning mdev_supported_types */
	const char *name;		/* type name without the "i915-" prefix */
	const char *description;
	unsigned int max_instances;
	unsigned int used_instances;
};

#define to_gvt_type(k) container_of(k, struct gvt_type, kobj)

/* The 2019 mdev framework's type attribute: show/store get the type's
 * kobject and the parent device, which is what the patch's handlers use. */
struct mdev_type_attribute {
	struct attribute attr;
	ssize_t (*show)(struct kobject *kobj, struct device *dev, char *buf);
	ssize_t (*store)(struct kobject *kobj, struct device *dev,
			 const char *buf, size_t count);
};

#define to_mdev_type_attr(a) container_of(a, struct mdev_type_attribute, attr)
#define MDEV_TYPE_ATTR_RO(_name) \
	struct mdev_type_attribute mdev_type_attr_##_name = __ATTR_RO(_name)
#define MDEV_TYPE_ATTR_RW(_name) \
	struct mdev_type_attribute mdev_type_attr_##_name = __ATTR_RW(_name)

static ssize_t mdev_type_attr_show(struct kobject *kobj, struct attribute *attr,
				   char *buf)
{
	struct mdev_type_attribute *a = to_mdev_type_attr(attr);

	if (!a->show)
		return -EIO;
	return a->show(kobj, to_gvt_type(kobj)->parent, buf);
}

static ssize_t mdev_type_attr_store(struct kobject *kobj, struct attribute *attr,
				    const char *buf, size_t count)
{
	struct mdev_type_attribute *a = to_mdev_type_attr(attr);

	if (!a->store)
		return -EIO;
	return a->store(kobj, to_gvt_type(kobj)->parent, buf, count);
}

static const struct sysfs_ops mdev_type_sysfs_ops = {
	.show = mdev_type_attr_show,
	.store = mdev_type_attr_store,
};

static ssize_t name_show(struct kobject *kobj, struct device *dev, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_gvt_type(kobj)->name);
}

static ssize_t description_show(struct kobject *kobj, struct device *dev,
				char *buf)
{
	return sysfs_emit(buf, "%s", to_gvt_type(kobj)->description);
}

static ssize_t device_api_show(struct kobject *kobj, struct device *dev,
			       char *buf)
{
	return sysfs_emit(buf, "%s\n", "vfio-pci");
}

static ssize_t available_instances_show(struct kobject *kobj,
					struct device *dev, char *buf)
{
	struct gvt_type *t = to_gvt_type(kobj);

	return sysfs_emit(buf, "%u\n", t->max_instances - t->used_instances);
}

static ssize_t version_show(struct kobject *kobj, struct device *dev,
			    char *buf)
{
	struct drm_i915_private *i915 = kdev_to_i915(dev);
	const char *mdev_type = kobject_name(kobj);

	return intel_gvt_get_vfio_device_version(i915, buf, mdev_type);
}

static ssize_t version_store(struct kobject *kobj, struct device *dev,
			     const char *buf, size_t count)
{
	return gvt_version_store(dev, kobject_name(kobj),
				 intel_gvt_get_vfio_device_version, buf, count);
}

static ssize_t migration_version_show(struct kobject *kobj, struct device *dev,
				      char *buf)
{
	struct drm_i915_private *i915 = kdev_to_i915(dev);

	return intel_gvt_get_vfio_device_migration_version(i915, buf,
							   kobject_name(kobj));
}

static ssize_t migration_version_store(struct kobject *kobj, struct device *dev,
				       const char *buf, size_t count)
{
	return gvt_version_store(dev, kobject_name(kobj),
				 intel_gvt_get_vfio_device_migration_version,
				 buf, count);
}

static MDEV_TYPE_ATTR_RO(name);
static MDEV_TYPE_ATTR_RO(description);
static MDEV_TYPE_ATTR_RO(device_api);
static MDEV_TYPE_ATTR_RO(available_instances);
static MDEV_TYPE_ATTR_RW(version);
static MDEV_TYPE_ATTR_RW(migration_version);

static struct attribute *gvt_type_attrs[] = {
	&mdev_type_attr_name.attr,
	&mdev_type_attr_description.attr,
	&mdev_type_attr_device_api.attr,
	&mdev_type_attr_available_instances.attr,
	&mdev_type_attr_version.attr,
	&mdev_type_attr_migration_version.attr,
	NULL,
};
ATTRIBUTE_GROUPS(gvt_type);

static void gvt_type_release(struct kobject *kobj)
{
	kfree(to_gvt_type(kobj));
}

/* Not const: kobject_init_and_add() takes a non-const pointer on 6.1. */
static struct kobj_type gvt_type_ktype = {
	.sysfs_ops = &mdev_type_sysfs_ops,
	.release = gvt_type_release,
	.default_groups = gvt_type_groups,
};

/* ---- the parent device (0000:00:02.0) ----------------------------------- */

static DEFINE_MUTEX(sim_notes_lock);
static char sim_notes_buf[PAGE_SIZE];

/* An unrelated rw attribute: writes here must never produce a trace event. */
static ssize_t sim_notes_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	ssize_t n;

	mutex_lock(&sim_notes_lock);
	n = sysfs_emit(buf, "%s", sim_notes_buf);
	mutex_unlock(&sim_notes_lock);
	return n;
}

static ssize_t sim_notes_store(struct device *dev, struct device_attribute *attr,
			       const char *buf, size_t count)
{
	size_t n = min_t(size_t, count, sizeof(sim_notes_buf) - 1);

	mutex_lock(&sim_notes_lock);
	memcpy(sim_notes_buf, buf, n);
	sim_notes_buf[n] = '\0';
	mutex_unlock(&sim_notes_lock);
	return count;
}
static DEVICE_ATTR_RW(sim_notes);

/*
 * The scope decoy: an attribute named "version" on the parent device itself
 * -- no mdev type directory above it, no mdev_type link beside it.  It
 * answers like a check (length on a match) so that a tracer or policy that
 * looked at names only would report and judge it; neither may.
 */
#define SIM_DECOY_VERSION "decoy-not-an-mdev-attribute\n"

static ssize_t decoy_version_show(struct device *dev, struct device_attribute *attr,
				  char *buf)
{
	return sysfs_emit(buf, SIM_DECOY_VERSION);
}

static ssize_t decoy_version_store(struct device *dev, struct device_attribute *attr,
				   const char *buf, size_t count)
{
	return count;
}

/* spelled out: DEVICE_ATTR_RW(version) would name version_show/_store */
static struct device_attribute dev_attr_decoy_version =
	__ATTR(version, 0644, decoy_version_show, decoy_version_store);

static struct attribute *sim_parent_attrs[] = {
	&dev_attr_sim_notes.attr,
	&dev_attr_decoy_version.attr,
	NULL,
};
ATTRIBUTE_GROUPS(sim_parent);

/* ---- the mdev device (<uuid>/) ------------------------------------------ */

#define SIM_MDEV_UUID	"4b7e2d3a-1c9f-4e55-9a2b-6c0d8e1f2a3b"
#define SIM_MDEV_TYPE	"i915-GVTg_V5_4"

static ssize_t mdev_migration_version_show(struct device *dev,
					   struct device_attribute *attr,
					   char *buf)
{
	struct drm_i915_private *i915 = kdev_to_i915(dev->parent);

	return intel_gvt_get_vfio_device_migration_version(i915, buf,
							   SIM_MDEV_TYPE);
}

static ssize_t mdev_migration_version_store(struct device *dev,
					    struct device_attribute *attr,
					    const char *buf, size_t count)
{
	return gvt_version_store(dev->parent, SIM_MDEV_TYPE,
				 intel_gvt_get_vfio_device_migration_version,
				 buf, count);
}

/* Spelled out instead of DEVICE_ATTR_RW: the handler names must not clash
 * with the type attribute's migration_version_{show,store}. */
static struct device_attribute dev_attr_mdev_migration_version =
	__ATTR(migration_version, 0644, mdev_migration_version_show,
	       mdev_migration_version_store);

static struct attribute *sim_mdev_attrs[] = {
	&dev_attr_mdev_migration_version.attr,
	NULL,
};
ATTRIBUTE_GROUPS(sim_mdev);

/* ---- setup / teardown --------------------------------------------------- */

static const struct {
	const char *name;
	const char *description;
	unsigned int max_instances;
} sim_types[] = {
	{ "GVTg_V5_2", "low_gm_size: 256MB\nhigh_gm_size: 1024MB\nfence: 4\n"
		       "resolution: 1920x1200\nweight: 8\n", 2 },
	{ "GVTg_V5_4", "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\n"
		       "resolution: 1920x1200\nweight: 4\n", 4 },
	{ "GVTg_V5_8", "low_gm_size: 64MB\nhigh_gm_size: 384MB\nfence: 4\n"
		       "resolution: 1024x768\nweight: 2\n", 8 },
};

static struct device *sim_root;
static struct device *sim_parent;
static struct device *sim_mdev;
static struct kobject *sim_types_kobj;
static struct gvt_type *sim_type_objs[ARRAY_SIZE(sim_types)];
static struct gvt_type *sim_mdev_type;

static void sim_device_release(struct device *dev)
{
	kfree(dev);
}

static struct device *sim_device_create(struct device *parent, const char *name,
					const struct attribute_group **groups,
					void *drvdata)
{
	struct device *dev;
	int ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	device_initialize(dev);
	dev->parent = parent;
	dev->groups = groups;
	dev->release = sim_device_release;
	dev_set_drvdata(dev, drvdata);
	ret = dev_set_name(dev, "%s", name);
	if (!ret)
		ret = device_add(dev);
	if (ret) {
		put_device(dev);
		return ERR_PTR(ret);
	}
	return dev;
}

static struct gvt_type *sim_type_create(unsigned int i)
{
	struct gvt_type *t;
	int ret;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->parent = sim_parent;
	t->name = sim_types[i].name;
	t->description = sim_types[i].description;
	t->max_instances = sim_types[i].max_instances;
	ret = kobject_init_and_add(&t->kobj, &gvt_type_ktype, sim_types_kobj,
				   "i915-%s", t->name);
	if (ret) {
		kobject_put(&t->kobj);
		return ERR_PTR(ret);
	}
	t->devices_kobj = kobject_create_and_add("devices", &t->kobj);
	if (!t->devices_kobj) {
		kobject_put(&t->kobj);
		return ERR_PTR(-ENOMEM);
	}
	return t;
}

static void sim_type_destroy(struct gvt_type *t)
{
	kobject_put(t->devices_kobj);
	kobject_put(&t->kobj);
}

static void mdevsim_teardown(void)
{
	unsigned int i;

	if (sim_mdev) {
		sysfs_remove_link(sim_mdev_type->devices_kobj, SIM_MDEV_UUID);
		sysfs_remove_link(&sim_mdev->kobj, "mdev_type");
		device_unregister(sim_mdev);
		sim_mdev = NULL;
	}
	for (i = 0; i < ARRAY_SIZE(sim_type_objs); i++) {
		if (sim_type_objs[i])
			sim_type_destroy(sim_type_objs[i]);
		sim_type_objs[i] = NULL;
	}
	kobject_put(sim_types_kobj);
	sim_types_kobj = NULL;
	if (sim_parent)
		device_unregister(sim_parent);
	sim_parent = NULL;
	if (sim_root)
		root_device_unregister(sim_root);
	sim_root = NULL;
}

static int __init mdevsim_init(void)
{
	struct device *dev;
	struct gvt_type *t;
	unsigned int i;
	int ret;

	sim_root = root_device_register("mdevsim");
	if (IS_ERR(sim_root)) {
		ret = PTR_ERR(sim_root);
		sim_root = NULL;
		return ret;
	}

	dev = sim_device_create(sim_root, "0000:00:02.0", sim_parent_groups,
				&sim_i915);
	if (IS_ERR(dev)) {
		ret = PTR_ERR(dev);
		goto fail;
	}
	sim_parent = dev;

	sim_types_kobj = kobject_create_and_add("mdev_supported_types",
						&sim_parent->kobj);
	if (!sim_types_kobj) {
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < ARRAY_SIZE(sim_types); i++) {
		t = sim_type_create(i);
		if (IS_ERR(t)) {
			ret = PTR_ERR(t);
			goto fail;
		}
		sim_type_objs[i] = t;
		if (!strcmp(kobject_name(&t->kobj), SIM_MDEV_TYPE))
			sim_mdev_type = t;
	}

	dev = sim_device_create(sim_parent, SIM_MDEV_UUID, sim_mdev_groups,
				NULL);
	if (IS_ERR(dev)) {
		ret = PTR_ERR(dev);
		goto fail;
	}
	sim_mdev = dev;
	ret = sysfs_create_link(&sim_mdev->kobj, &sim_mdev_type->kobj,
				"mdev_type");
	if (!ret)
		ret = sysfs_create_link(sim_mdev_type->devices_kobj,
					&sim_mdev->kobj, SIM_MDEV_UUID);
	if (ret)
		goto fail;
	sim_mdev_type->used_instances = 1;

	pr_info("mdevsim: simulated GVT-g parent %s (devid 0x%04x gen %u)\n",
		dev_name(sim_parent), devid, gen);
	return 0;

fail:
	mdevsim_teardown();
	return ret;
}

static void __exit mdevsim_exit(void)
{
	mdevsim_teardown();
}

module_init(mdevsim_init);
module_exit(mdevsim_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Simulated Intel GVT-g mdev parent with version attributes (mdevver-trace tests)");
