// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * attach.c - the attach-mode ladder.  Each rung is a full
 * open -> configure -> load -> attach of the one BPF object with only that
 * mode's programs enabled; a failure anywhere destroys the attempt and the
 * next rung starts clean.  Vendor probes are optional: a rung first tries
 * with them (when the functions exist) and then without.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "attach_btf.h"
#include "attach_early.h"
#include "core_btf.h"
#include "kernel_features.h"
#include "map_sizes.h"
#include "mdevver_trace.skel.h"

#define GVT_GET "intel_gvt_get_vfio_device_version"
#define GVT_CHECK "intel_gvt_check_vfio_device_version"

/*
 * Attached in this order: each function's exit program before its entry
 * program, so that no call is entered that no exit will finish (a tracer
 * started under writes counted ~1000 checks lost, exits unseen, when the
 * entry came first; vm_start_under_writes).  An exit that finds no call
 * does nothing.
 */
const struct prog_spec prog_specs[] = {
	{ "fexit_sysfs_kf_write", "fexit", "sysfs_kf_write", MDEVVER_MODE_FENTRY, false },
	{ "fentry_sysfs_kf_write", "fentry", "sysfs_kf_write", MDEVVER_MODE_FENTRY, false },
	{ "fexit_sysfs_kf_seq_show", "fexit", "sysfs_kf_seq_show", MDEVVER_MODE_FENTRY, false },
	{ "fentry_sysfs_kf_seq_show", "fentry", "sysfs_kf_seq_show", MDEVVER_MODE_FENTRY, false },
	{ "fentry_gvt_get_version", "fentry", GVT_GET, MDEVVER_MODE_FENTRY, true },
	{ "fexit_gvt_check_version", "fexit", GVT_CHECK, MDEVVER_MODE_FENTRY, true },
	{ "kretprobe_sysfs_kf_write", "kretprobe", "sysfs_kf_write", MDEVVER_MODE_KPROBE, false },
	{ "kprobe_sysfs_kf_write", "kprobe", "sysfs_kf_write", MDEVVER_MODE_KPROBE, false },
	{ "kretprobe_sysfs_kf_seq_show", "kretprobe", "sysfs_kf_seq_show", MDEVVER_MODE_KPROBE, false },
	{ "kprobe_sysfs_kf_seq_show", "kprobe", "sysfs_kf_seq_show", MDEVVER_MODE_KPROBE, false },
	{ "kprobe_gvt_get_version", "kprobe", GVT_GET, MDEVVER_MODE_KPROBE, true },
	{ "kretprobe_gvt_check_version", "kretprobe", GVT_CHECK, MDEVVER_MODE_KPROBE, true },
	{ "kprobe_gvt_check_version", "kprobe", GVT_CHECK, MDEVVER_MODE_KPROBE, true },
	{ "sys_exit_write", "tracepoint", "syscalls/sys_exit_write", MDEVVER_MODE_SYSCALL, false },
	{ "sys_enter_write", "tracepoint", "syscalls/sys_enter_write", MDEVVER_MODE_SYSCALL, false },
	{ "sys_exit_pwrite64", "tracepoint", "syscalls/sys_exit_pwrite64", MDEVVER_MODE_SYSCALL, false },
	{ "sys_enter_pwrite64", "tracepoint", "syscalls/sys_enter_pwrite64", MDEVVER_MODE_SYSCALL, false },
	{ "sys_exit_writev", "tracepoint", "syscalls/sys_exit_writev", MDEVVER_MODE_SYSCALL, false },
	{ "sys_enter_writev", "tracepoint", "syscalls/sys_enter_writev", MDEVVER_MODE_SYSCALL, false },
	{ "sys_exit_read", "tracepoint", "syscalls/sys_exit_read", MDEVVER_MODE_SYSCALL, false },
	{ "sys_enter_read", "tracepoint", "syscalls/sys_enter_read", MDEVVER_MODE_SYSCALL, false },
	{ "sys_exit_pread64", "tracepoint", "syscalls/sys_exit_pread64", MDEVVER_MODE_SYSCALL, false },
	{ "sys_enter_pread64", "tracepoint", "syscalls/sys_enter_pread64", MDEVVER_MODE_SYSCALL, false },
	{ "lsm_file_permission", "lsm", "file_permission", 0, false },
	{ "lsm_file_ioctl", "lsm", "file_ioctl", 0, false },
};
const size_t prog_specs_count = sizeof(prog_specs) / sizeof(prog_specs[0]);

/* the lifecycle of an mdev device (bpf/migration.bpf.h), where the mdev
 * and vfio modules are loaded; optional like the vendor probes */
const struct lifecycle_spec lifecycle_specs[] = {
	{ { "fexit_mdev_create", "fexit", "mdev_device_create", MDEVVER_MODE_FENTRY, false }, "mdev" },
	{ { "fentry_mdev_create", "fentry", "mdev_device_create", MDEVVER_MODE_FENTRY, false }, "mdev" },
	{ { "fexit_mdev_remove", "fexit", "mdev_device_remove", MDEVVER_MODE_FENTRY, false }, "mdev" },
	{ { "fentry_mdev_remove", "fentry", "mdev_device_remove", MDEVVER_MODE_FENTRY, false }, "mdev" },
	{ { "fexit_vfio_group_ioctl", "fexit", "vfio_group_fops_unl_ioctl", MDEVVER_MODE_FENTRY, false }, "vfio" },
	{ { "fentry_vfio_release", "fentry", "vfio_device_fops_release", MDEVVER_MODE_FENTRY, false }, "vfio" },
	{ { "fexit_vfio_device_ioctl", "fexit", "vfio_device_fops_unl_ioctl", MDEVVER_MODE_FENTRY, false }, "vfio" },
	{ { "fentry_vfio_device_ioctl", "fentry", "vfio_device_fops_unl_ioctl", MDEVVER_MODE_FENTRY, false }, "vfio" },
	{ { "fentry_vfio_next_state", "fentry", "vfio_mig_get_next_state", MDEVVER_MODE_FENTRY, false }, "vfio" },
	{ { "kretprobe_mdev_create", "kretprobe", "mdev_device_create", MDEVVER_MODE_KPROBE, false }, "mdev" },
	{ { "kprobe_mdev_create", "kprobe", "mdev_device_create", MDEVVER_MODE_KPROBE, false }, "mdev" },
	{ { "kretprobe_mdev_remove", "kretprobe", "mdev_device_remove", MDEVVER_MODE_KPROBE, false }, "mdev" },
	{ { "kprobe_mdev_remove", "kprobe", "mdev_device_remove", MDEVVER_MODE_KPROBE, false }, "mdev" },
	{ { "kretprobe_vfio_group_ioctl", "kretprobe", "vfio_group_fops_unl_ioctl", MDEVVER_MODE_KPROBE, false }, "vfio" },
	{ { "kprobe_vfio_group_ioctl", "kprobe", "vfio_group_fops_unl_ioctl", MDEVVER_MODE_KPROBE, false }, "vfio" },
	{ { "kprobe_vfio_release", "kprobe", "vfio_device_fops_release", MDEVVER_MODE_KPROBE, false }, "vfio" },
	{ { "kretprobe_vfio_device_ioctl", "kretprobe", "vfio_device_fops_unl_ioctl", MDEVVER_MODE_KPROBE, false }, "vfio" },
	{ { "kprobe_vfio_device_ioctl", "kprobe", "vfio_device_fops_unl_ioctl", MDEVVER_MODE_KPROBE, false }, "vfio" },
	{ { "kprobe_vfio_next_state", "kprobe", "vfio_mig_get_next_state", MDEVVER_MODE_KPROBE, false }, "vfio" },
	/* syscall mode: the ioctl system call decoded (open, queries, state
	 * changes; no close, no create/remove, no driver "from") */
	{ { "sys_exit_ioctl", "tracepoint", "syscalls/sys_exit_ioctl", MDEVVER_MODE_SYSCALL, false }, "vfio" },
	{ { "sys_enter_ioctl", "tracepoint", "syscalls/sys_enter_ioctl", MDEVVER_MODE_SYSCALL, false }, "vfio" },
};
const size_t lifecycle_specs_count = sizeof(lifecycle_specs) / sizeof(lifecycle_specs[0]);

static const int mode_ladder[] = {
	MDEVVER_MODE_FENTRY, MDEVVER_MODE_KPROBE, MDEVVER_MODE_SYSCALL,
};

int mode_parse(const char *name)
{
	if (!strcmp(name, "auto"))
		return 0;
	if (!strcmp(name, "fentry"))
		return MDEVVER_MODE_FENTRY;
	if (!strcmp(name, "kprobe"))
		return MDEVVER_MODE_KPROBE;
	if (!strcmp(name, "syscall"))
		return MDEVVER_MODE_SYSCALL;
	return -1;
}

static const char *mode_label(int mode)
{
	switch (mode) {
	case MDEVVER_MODE_FENTRY:
		return "fentry";
	case MDEVVER_MODE_KPROBE:
		return "kprobe";
	case 0:
		return "lsm";
	default:
		return "syscall";
	}
}

const char *lifecycle_label(const struct tracer *t)
{
	if (t->mode == MDEVVER_MODE_SYSCALL && t->lifecycle_vfio)
		return "vfio-syscall";
	if (t->lifecycle_mdev && t->lifecycle_vfio)
		return "mdev+vfio";
	if (t->lifecycle_vfio)
		return "vfio";
	if (t->lifecycle_mdev)
		return "mdev";
	return "none";
}

/* vfio.ko's vfio_device_fops (0: vfio not loaded, or hidden); one
 * /proc/kallsyms scan per process */
static unsigned long long vfio_device_fops(void)
{
	static bool looked;
	static unsigned long long addr;

	if (!looked && !access("/sys/module/vfio", F_OK))
		addr = kf_kallsyms_module_data("vfio", "vfio_device_fops");
	looked = true;
	return addr;
}

bool lifecycle_func_present(int mode, const char *module, const char *func)
{
	char path[64];

	/* most hosts have no VFIO at all: ask the cheap question first, so
	 * start-up neither parses BTF nor scans kallsyms for nothing */
	snprintf(path, sizeof(path), "/sys/module/%s", module);
	if (access(path, F_OK))
		return false;
	if (mode == MDEVVER_MODE_FENTRY) {
		snprintf(path, sizeof(path), "/sys/kernel/btf/%s", module);
		/* a loaded module has its own BTF; a built-in one is in vmlinux */
		return access(path, F_OK) ? kf_btf_has_func(func, NULL, 0)
					  : kf_module_btf_has_func(module, func);
	}
	if (mode == MDEVVER_MODE_KPROBE)
		return kf_kallsyms_has(func);
	/* syscall mode: the ioctl tracepoints, and what a VFIO device file
	 * is (bpf/vfio_dev.bpf.h), without which they would see nothing */
	if (mode == MDEVVER_MODE_SYSCALL)
		return vfio_device_fops() != 0 &&
		       kf_tracepoint_exists("syscalls", func + strlen("syscalls/")) == 1;
	return false;
}

bool vendor_func_present(int mode, const char *func)
{
	if (mode == MDEVVER_MODE_FENTRY)
		return kf_btf_has_func(func, NULL, 0);
	if (mode == MDEVVER_MODE_KPROBE)
		return kf_kallsyms_has(func);
	/* syscall mode: the ioctl tracepoints, and what a VFIO device file
	 * is (bpf/vfio_dev.bpf.h), without which they would see nothing */
	if (mode == MDEVVER_MODE_SYSCALL)
		return vfio_device_fops() != 0 &&
		       kf_tracepoint_exists("syscalls", func + strlen("syscalls/")) == 1;
	return false;
}

static void attempts_add(struct tracer *t, const char *fmt, ...)
{
	size_t len = strlen(t->attempts);
	va_list ap;

	if (len && len + 2 < sizeof(t->attempts))
		len += snprintf(t->attempts + len, sizeof(t->attempts) - len, "; ");
	va_start(ap, fmt);
	vsnprintf(t->attempts + len, sizeof(t->attempts) - len, fmt, ap);
	va_end(ap);
}

static void release(struct tracer *t)
{
	for (size_t i = 0; i < t->n_links; i++)
		bpf_link__destroy(t->links[i]);
	t->n_links = 0;
	mdevver_trace_bpf__destroy(t->skel);
	t->skel = NULL;
	t->vendor_get = t->vendor_check = false;
	t->lifecycle_progs = 0;
	t->lifecycle_mdev = t->lifecycle_vfio = false;
}

/* Reads get their own, smaller ring: a flood of them can only lose reads. */
static size_t read_ring_bytes(const struct tracer_config *cfg)
{
	size_t n = cfg->read_ringbuf_bytes ? cfg->read_ringbuf_bytes
					   : cfg->ringbuf_bytes / 4;

	return n < 64 * 1024 ? 64 * 1024 : n;
}

static int configure(struct mdevver_trace_bpf *skel,
		     const struct tracer_config *cfg)
{
	skel->rodata->self_tgid = getpid();
	skel->rodata->targ_tgid = cfg->targ_pid;
	skel->rodata->failed_only = cfg->failed_only;
	skel->rodata->any_sysfs = cfg->any_sysfs;
	skel->rodata->instance_id = cfg->instance_id;
	if (cfg->targ_comm) {
		skel->rodata->filter_comm = true;
		strncpy((char *)skel->rodata->targ_comm, cfg->targ_comm,
			MDEVVER_TASK_COMM_LEN - 1);
	}
	skel->rodata->strict = cfg->strict;
	/* what a VFIO device file is, for the ioctl permission hook and the
	 * dry run (bpf/vfio_dev.bpf.h); only where vfio.ko is loaded */
	skel->rodata->vfio_device_fops_addr = vfio_device_fops();
	return bpf_map__set_max_entries(skel->maps.checks, cfg->ringbuf_bytes) ?:
	       bpf_map__set_max_entries(skel->maps.reads, read_ring_bytes(cfg));
}

static int fill_attr_names(struct mdevver_trace_bpf *skel,
			   const struct tracer_config *cfg)
{
	int fd = bpf_map__fd(skel->maps.attr_names);
	__u8 one = 1;

	for (size_t i = 0; i < cfg->n_attr_names; i++) {
		struct mdevver_attr_name key;

		memset(&key, 0, sizeof(key));
		strncpy(key.name, cfg->attr_names[i], sizeof(key.name) - 1);
		if (bpf_map_update_elem(fd, &key, &one, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* attach_early's ready(): the names, before a program can run */
struct names_ctx {
	struct mdevver_trace_bpf *skel;
	const struct tracer_config *cfg;
};

static int fill_attr_names_early(void *ctx)
{
	const struct names_ctx *n = ctx;

	return fill_attr_names(n->skel, n->cfg);
}

/*
 * bpf_get_current_task_btf() (5.11) for the fentry programs' plain loads of
 * the current task: libbpf cannot probe a helper for tracing programs, so
 * the task storage map type (5.11 too) stands for it.
 */
static bool task_btf_usable(int mode)
{
	return mode == MDEVVER_MODE_FENTRY &&
	       libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) == 1;
}

/*
 * The program of spec s this configuration loads: an entry point whose
 * path can reach the policy's matcher has a variant NAME_policy
 * (bpf/calls.bpf.h says why), which enforce and its dry run load (they
 * have an instance id); a plain tracer loads NAME, without the matcher.
 */
static struct bpf_program *spec_program(struct bpf_object *obj,
					const struct prog_spec *s,
					const struct tracer_config *cfg)
{
	struct bpf_program *p;
	char name[64];

	if (cfg->instance_id) {
		snprintf(name, sizeof(name), "%s_policy", s->prog);
		p = bpf_object__find_program_by_name(obj, name);
		if (p)
			return p;
	}
	return bpf_object__find_program_by_name(obj, s->prog);
}

/* Where every fentry/fexit target is, from one walk of the BTF: the
 * presence checks below and attach_btf_resolve() then ask no more. */
static void prefetch_targets(void)
{
	const char *funcs[ATTACH_MAX_LINKS];
	size_t n = 0;

	for (size_t i = 0; i < prog_specs_count + lifecycle_specs_count; i++) {
		const struct prog_spec *s = i < prog_specs_count ? &prog_specs[i]
				: &lifecycle_specs[i - prog_specs_count].p;
		bool seen = false;

		if (s->mode != MDEVVER_MODE_FENTRY)
			continue;
		for (size_t j = 0; j < n && !seen; j++)
			seen = !strcmp(funcs[j], s->target);
		if (!seen && n < ATTACH_MAX_LINKS)
			funcs[n++] = s->target;
	}
	kf_btf_prefetch(funcs, n);
}

/* The programs of this attempt that attach_early may attach during the
 * load: every autoloaded fentry/fexit program of the mode. */
static void plan_early(struct attach_early *ae, struct bpf_object *obj,
		       const struct tracer_config *cfg)
{
	struct bpf_program *prog;

	for (size_t i = 0; i < prog_specs_count; i++) {
		const struct prog_spec *s = &prog_specs[i];

		prog = spec_program(obj, s, cfg);
		if (s->mode == MDEVVER_MODE_FENTRY && prog && bpf_program__autoload(prog))
			attach_early_add(ae, prog, s->kind, s->target);
	}
	for (size_t i = 0; i < lifecycle_specs_count; i++) {
		const struct lifecycle_spec *l = &lifecycle_specs[i];

		prog = bpf_object__find_program_by_name(obj, l->p.prog);
		if (l->p.mode == MDEVVER_MODE_FENTRY && prog && bpf_program__autoload(prog))
			attach_early_add(ae, prog, l->p.kind, l->p.target);
	}
}

/* One rung: returns 0 with t->skel attached, or -errno with t clean. */
static int try_mode(struct tracer *t, const struct tracer_config *cfg,
		    int mode, bool with_optional, bool *used_vendor)
{
	bool want_vendor_get = false, want_vendor_check = false, want_lifecycle = false;
	struct names_ctx names = { NULL, cfg };
	struct attach_early early;
	struct core_btf target;
	struct bpf_program *prog;
	int err;

	attach_early_init(&early, fill_attr_names_early, &names);
	/* CO-RE against a small target BTF (core_btf.c), where it can be */
	core_btf_open(&target);
	/* spelled out, not LIBBPF_OPTS(): cppcheck reads no system headers */
	struct bpf_object_open_opts open_opts = {
		.sz = sizeof(open_opts),
		.btf_custom_path = target.fd >= 0 ? target.path : NULL,
	};

	/* our own fentry/fexit target resolution (attach_btf.c); if it
	 * cannot be registered, libbpf's stays in charge */
	attach_btf_register();
	t->skel = mdevver_trace_bpf__open_opts(&open_opts);
	if (!t->skel) {
		err = -errno;
		attempts_add(t, "%s: open: %s", mode_label(mode), strerror(-err));
		attach_early_release(&early);
		core_btf_close(&target);
		return err;
	}
	names.skel = t->skel;
	err = configure(t->skel, cfg);
	if (err) {
		attempts_add(t, "%s: configure: %s", mode_label(mode), strerror(-err));
		goto fail;
	}
	/* without them the map is not made (kernels before 5.11 have no
	 * such map type; libbpf poisons the dead code that names it) */
	t->skel->rodata->task_btf = task_btf_usable(mode);
	bpf_object__for_each_program(prog, t->skel->obj)
		bpf_program__set_autoload(prog, false);
	if (mode == MDEVVER_MODE_FENTRY)
		prefetch_targets();
	for (size_t i = 0; i < prog_specs_count; i++) {
		const struct prog_spec *s = &prog_specs[i];

		if (s->mode != mode && !(s->mode == 0 && cfg->lsm))
			continue;
		/* the ioctl hook judges VFIO device files only: without vfio.ko
		 * there is none, and its CO-RE reads of vfio's types would make
		 * libbpf walk the module BTFs (CAP_SYS_ADMIN), so an enforcer
		 * with CAP_BPF+CAP_PERFMON alone could not load */
		if (!strcmp(s->prog, "lsm_file_ioctl") && !vfio_device_fops())
			continue;
		if (s->vendor) {
			if (!with_optional || cfg->no_vendor ||
			    !vendor_func_present(mode, s->target))
				continue;
			if (!strcmp(s->target, GVT_GET))
				want_vendor_get = true;
			else
				want_vendor_check = true;
		}
		prog = spec_program(t->skel->obj, s, cfg);
		if (prog)
			bpf_program__set_autoload(prog, true);
	}
	for (size_t i = 0; with_optional && i < lifecycle_specs_count; i++) {
		const struct lifecycle_spec *l = &lifecycle_specs[i];

		if (l->p.mode != mode ||
		    !lifecycle_func_present(mode, l->module, l->p.target))
			continue;
		prog = bpf_object__find_program_by_name(t->skel->obj, l->p.prog);
		if (prog) {
			bpf_program__set_autoload(prog, true);
			want_lifecycle = true;
		}
	}
	{
		/* maps no loaded program will touch: one entry each */
		struct map_use use = {
			/* syscall mode's exits always carry the matcher
			 * (bpf/mdevver_trace.bpf.c says why) */
			.policy = cfg->instance_id != 0 || mode == MDEVVER_MODE_SYSCALL,
			.lifecycle = want_lifecycle,
		};

		map_sizes_trim(t->skel, &use);
	}
	/* the CO-RE target, from the same vmlinux BTF, before it is dropped */
	err = core_btf_fill(&target, bpf_object__btf(t->skel->obj));
	if (err) {
		attempts_add(t, "%s: CO-RE target BTF: %s", mode_label(mode), strerror(-err));
		goto fail;
	}
	/* where the fentry/fexit programs attach, from the BTF just read
	 * for the checks above (no libbpf scans, no module BTF parsing) */
	attach_btf_resolve(t->skel->obj);
	/* the parsed BTF is not needed for the load: free it before libbpf
	 * parses its own copy (peak RSS) */
	kf_btf_cache_drop();
	/* optional programs: a rung that fails with them is tried without */
	*used_vendor = want_vendor_get || want_vendor_check || want_lifecycle;
	if (cfg->before_load) {
		err = cfg->before_load(cfg->hook_ctx, t->skel);
		if (err) {
			attempts_add(t, "%s: pinned maps: %s", mode_label(mode), strerror(-err));
			goto fail;
		}
	}
	/* a plain tracer's fentry/fexit programs are attached while the
	 * rest load (attach_early.c); an enforcer's wait for its policy */
	if (mode == MDEVVER_MODE_FENTRY && !cfg->instance_id)
		plan_early(&early, t->skel->obj, cfg);
	attach_early_arm(&early);
	err = mdevver_trace_bpf__load(t->skel);
	attach_early_finish(&early);
	attach_btf_drop();
	core_btf_close(&target);
	if (err) {
		attempts_add(t, "%s%s%s: load: %s", mode_label(mode),
			     want_vendor_get || want_vendor_check ? "+vendor" : "",
			     want_lifecycle ? "+lifecycle" : "", strerror(-err));
		goto fail;
	}
	err = attach_early_was_ready(&early) ? 0 : fill_attr_names(t->skel, cfg);
	if (err) {
		attempts_add(t, "%s: attribute names: %s", mode_label(mode), strerror(-err));
		goto fail;
	}
	for (size_t i = 0; i < prog_specs_count; i++) {
		const struct prog_spec *s = &prog_specs[i];
		struct bpf_link *link;

		prog = spec_program(t->skel->obj, s, cfg);
		if ((s->mode != mode && s->mode != 0) || !prog ||
		    !bpf_program__autoload(prog))
			continue;
		link = attach_early_take(&early, prog);
		if (!link)
			link = bpf_program__attach(prog);
		if (!link) {
			err = -errno;
			if (s->vendor) {
				/* the generic layer still works without it */
				attempts_add(t, "%s: vendor %s %s: attach: %s",
					     mode_label(mode), s->kind, s->target,
					     strerror(-err));
				if (!strcmp(s->target, GVT_GET))
					want_vendor_get = false;
				else
					want_vendor_check = false;
				continue;
			}
			attempts_add(t, "%s: attach %s %s: %s", mode_label(mode),
				     s->kind, s->target, strerror(-err));
			goto fail;
		}
		if (t->n_links == ATTACH_MAX_LINKS) {
			bpf_link__destroy(link);
			err = -E2BIG;
			goto fail;
		}
		t->link_progs[t->n_links] = s->prog;
		t->links[t->n_links++] = link;
	}
	for (size_t i = 0; i < lifecycle_specs_count; i++) {
		const struct lifecycle_spec *l = &lifecycle_specs[i];
		struct bpf_link *link;

		prog = bpf_object__find_program_by_name(t->skel->obj, l->p.prog);
		if (l->p.mode != mode || !prog || !bpf_program__autoload(prog))
			continue;
		link = attach_early_take(&early, prog);
		if (!link)
			link = bpf_program__attach(prog);
		if (!link) {
			/* checks are still traced without it */
			attempts_add(t, "%s: lifecycle %s %s: attach: %s", mode_label(mode),
				     l->p.kind, l->p.target, strerror(errno));
			continue;
		}
		if (t->n_links == ATTACH_MAX_LINKS) {
			bpf_link__destroy(link);
			err = -E2BIG;
			goto fail;
		}
		t->link_progs[t->n_links] = l->p.prog;
		t->links[t->n_links++] = link;
		t->lifecycle_progs++;
		if (!strcmp(l->module, "mdev"))
			t->lifecycle_mdev = true;
		else if (!strcmp(l->p.target, "vfio_device_fops_unl_ioctl") ||
			 !strcmp(l->p.target, "syscalls/sys_exit_ioctl"))
			t->lifecycle_vfio = true;
	}
	t->mode = mode;
	t->core_btf_types = target.types;
	t->vendor_get = want_vendor_get;
	t->vendor_check = want_vendor_check;
	attach_early_release(&early);
	return 0;
fail:
	attach_early_release(&early);
	core_btf_close(&target);
	release(t);
	return err;
}

/*
 * After a load: give back what only loading needed, before the rings are
 * mapped on top (peak RSS).  The object's ELF image, embedded in the
 * binary (~0.8 MB, all of it read while libbpf opened it), is referenced
 * no more once loaded (libbpf copied the programs and BTF it keeps); its
 * pages are the binary's, so dropping them costs nothing and a later read
 * (another rung of the ladder) faults them in again.  The heap libbpf
 * freed goes back too.
 */
static void release_load_memory(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t sz = 0;
	uintptr_t lo = (uintptr_t)mdevver_trace_bpf__elf_bytes(&sz), hi;

	if (page > 0 && sz) {
		hi = (lo + sz) & ~(uintptr_t)(page - 1);
		lo = (lo + (uintptr_t)page - 1) & ~(uintptr_t)(page - 1);
		if (hi > lo)
			(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
	}
	(void)malloc_trim(0);
}

int tracer_start(struct tracer *t, const struct tracer_config *cfg)
{
	int err = -ENOENT;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < sizeof(mode_ladder) / sizeof(mode_ladder[0]); i++) {
		int mode = mode_ladder[i];

		if (cfg->mode && cfg->mode != mode)
			continue;
		bool used_vendor = false;

		err = try_mode(t, cfg, mode, true, &used_vendor);
		if (!err) {
			kf_btf_cache_drop();
			release_load_memory();
			return 0;
		}
		/* a vendor program may be what failed: retry without them */
		if (used_vendor) {
			err = try_mode(t, cfg, mode, false, &used_vendor);
			if (!err) {
				release_load_memory();
				break;
			}
		}
	}
	kf_btf_cache_drop();
	return err;
}

void tracer_detach(struct tracer *t)
{
	for (size_t i = 0; i < t->n_links; i++)
		bpf_link__destroy(t->links[i]);
	t->n_links = 0;
}

void tracer_stop(struct tracer *t)
{
	release(t);
}

int probe_one_program(const struct prog_spec *spec, char *why, size_t whysz)
{
	struct mdevver_trace_bpf *skel;
	struct bpf_program *prog, *p;
	struct bpf_link *link = NULL;
	int err;

	attach_btf_register();
	skel = mdevver_trace_bpf__open();
	if (!skel) {
		err = -errno;
		snprintf(why, whysz, "open: %s", strerror(-err));
		return err;
	}
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, false);
	prog = bpf_object__find_program_by_name(skel->obj, spec->prog);
	if (!prog) {
		err = -ENOENT;
		snprintf(why, whysz, "no program %s in the object", spec->prog);
		goto cleanup;
	}
	bpf_program__set_autoload(prog, true);
	/* loaded, never run: the thread table need not be whole */
	bpf_map__set_max_entries(skel->maps.thread_slots, 1);
	/* probing needs no events: keep the ring buffer small */
	bpf_map__set_max_entries(skel->maps.checks, 4096 * 4);
	bpf_map__set_max_entries(skel->maps.reads, 4096 * 4);
	attach_btf_resolve(skel->obj);
	err = mdevver_trace_bpf__load(skel);
	attach_btf_drop();
	if (err) {
		snprintf(why, whysz, "load: %s", strerror(-err));
		goto cleanup;
	}
	link = bpf_program__attach(prog);
	if (!link) {
		err = -errno;
		snprintf(why, whysz, "attach: %s", strerror(-err));
		goto cleanup;
	}
	snprintf(why, whysz, "ok");
	err = 0;
cleanup:
	bpf_link__destroy(link);
	mdevver_trace_bpf__destroy(skel);
	return err;
}
