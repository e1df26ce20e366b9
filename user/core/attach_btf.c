// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * attach_btf.c - where a fentry/fexit program attaches, found by our own
 * walk of the raw BTF (kernel_features.c, btf_scan.c) and handed to libbpf
 * through a section handler for "fentry/" and "fexit/".
 *
 * Why: libbpf 1.1 resolves each such program's target by a linear
 * btf__find_by_name_kind() over vmlinux's ~130k types, and a target in a
 * module (the vendor probes' intel_gvt_*, the lifecycle hooks in mdev and
 * vfio) by load_module_btfs() -- every loaded module's BTF fetched and
 * parsed -- and then one scan per module that starts at type id 1, i.e.
 * walks vmlinux's types again.  On a one-CPU guest under qemu -icount that
 * was ~0.3 s of a 1.4 s start (docs/delivery.md, "Where the cost goes").
 * Here vmlinux's BTF, already read for the vendor/lifecycle presence
 * checks, is walked once per name, each module file once, and the module's
 * BTF object fd is found by name (one info call per BTF object, no parse).
 *
 * The handler stays registered for the process (libbpf keeps a pointer to
 * it in every opened program).  A program whose target was not resolved
 * here -- BTF the walk does not understand -- is resolved with libbpf's
 * public BTF API the slow way, so the answer never depends on the walk.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "attach_btf.h"
#include "kernel_features.h"

#define TARGETS_MAX 32
#define MODULES_MAX 8

/* a program's resolved target; err: why it has none (-ESRCH, -EPERM...) */
static struct {
	char prog[64];
	int obj_fd;	/* 0: vmlinux */
	__u32 btf_id;
	int err;
} targets[TARGETS_MAX];
static size_t n_targets;

/* module BTF object fds opened here, by module name */
static struct {
	char name[64];
	int fd;
} modules[MODULES_MAX];
static size_t n_modules;

static bool registered;

/*
 * libbpf 1.1 reads and parses vmlinux's BTF (megabytes; ~0.04 s of a 0.7 s
 * start on 6.1 under qemu -icount) whenever a tracing program has no
 * attach_prog_fd (prog_needs_vmlinux_btf), to find attach targets this
 * handler already found, and CO-RE gets its target from core_btf.c.  A
 * program whose target is resolved here is given this placeholder
 * attach_prog_fd (bpf_program__set_attach_target without a name only
 * stores it), and prepare_load() clears it again before the program
 * reaches the kernel: the fd is never used.
 */
#define NO_VMLINUX_PARSE 1

/* attach_btf_on_load() */
static void (*load_hook)(struct bpf_program *prog, void *ctx);
static void *load_hook_ctx;

/* Remember fd as module name's (or close it: table full). */
static int module_keep(const char *name, int fd)
{
	size_t len;

	if (n_modules == MODULES_MAX) {
		close(fd);
		return -E2BIG;
	}
	len = strnlen(name, sizeof(modules[0].name) - 1);
	memcpy(modules[n_modules].name, name, len);
	modules[n_modules].name[len] = '\0';
	modules[n_modules++].fd = fd;
	return fd;
}

/*
 * Next kernel BTF object of a module after *id: its fd, name in name
 * (64 bytes), or -ENOENT at the end, or -errno (no CAP_SYS_ADMIN: EPERM).
 */
static int next_module_btf(__u32 *id, char *name)
{
	for (;;) {
		struct bpf_btf_info info;
		__u32 len = sizeof(info);
		int fd;

		if (bpf_btf_get_next_id(*id, id))
			return -errno;
		fd = bpf_btf_get_fd_by_id(*id);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;	/* unloaded meanwhile */
			return -errno;
		}
		memset(&info, 0, sizeof(info));
		name[0] = '\0';
		info.name = (__u64)(unsigned long)name;
		info.name_len = 64;
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			int err = -errno;

			close(fd);
			return err;
		}
		/* programs' BTF and vmlinux are not modules */
		if (info.kernel_btf && strcmp(name, "vmlinux"))
			return fd;
		close(fd);
	}
}

/* The BTF object fd of the loaded module name: >0, or -errno. */
static int module_btf_fd(const char *name)
{
	char seen[64];
	__u32 id = 0;
	int fd;

	for (size_t i = 0; i < n_modules; i++)
		if (!strcmp(modules[i].name, name))
			return modules[i].fd;
	while ((fd = next_module_btf(&id, seen)) >= 0) {
		if (!strcmp(seen, name))
			return module_keep(name, fd);
		close(fd);
	}
	return fd;
}

/* libbpf's way, for BTF the raw walk gave up on: parse and search. */
static int resolve_parsed(const char *func, int *obj_fd, __u32 *btf_id)
{
	struct btf *vml = btf__load_vmlinux_btf(), *btf;
	char name[64];
	__u32 id = 0;
	int ret, fd;

	if (!vml)
		return -errno;
	ret = btf__find_by_name_kind(vml, func, BTF_KIND_FUNC);
	if (ret > 0) {
		*obj_fd = 0;
		*btf_id = (__u32)ret;
		btf__free(vml);
		return 0;
	}
	while ((fd = next_module_btf(&id, name)) >= 0) {
		btf = btf__load_from_kernel_by_id_split(id, vml);
		ret = btf ? btf__find_by_name_kind(btf, func, BTF_KIND_FUNC) : -1;
		btf__free(btf);
		if (ret > 0) {
			btf__free(vml);
			fd = module_keep(name, fd);
			if (fd < 0)
				return fd;
			*obj_fd = fd;
			*btf_id = (__u32)ret;
			return 0;
		}
		close(fd);
	}
	btf__free(vml);
	return fd == -ENOENT ? -ESRCH : fd;
}

static const char *target_of(const struct bpf_program *prog)
{
	const char *slash = strchr(bpf_program__section_name(prog), '/');

	return slash ? slash + 1 : NULL;
}

static int prepare_load(struct bpf_program *prog, struct bpf_prog_load_opts *opts,
			long cookie)
{
	const char *func = target_of(prog);
	int obj_fd = 0, err;
	__u32 btf_id = 0;

	(void)cookie;
	if (load_hook)
		load_hook(prog, load_hook_ctx);
	if (!func || !*func)
		return -EINVAL;
	for (size_t i = 0; i < n_targets; i++) {
		if (strcmp(targets[i].prog, bpf_program__name(prog)))
			continue;
		if (targets[i].err)
			return targets[i].err;
		opts->attach_prog_fd = 0;	/* see NO_VMLINUX_PARSE */
		opts->attach_btf_obj_fd = targets[i].obj_fd;
		opts->attach_btf_id = targets[i].btf_id;
		return 0;
	}
	err = resolve_parsed(func, &obj_fd, &btf_id);
	if (err)
		return err;
	opts->attach_btf_obj_fd = obj_fd;
	opts->attach_btf_id = btf_id;
	return 0;
}

/* what libbpf's own "fentry+"/"fexit+" attach does */
static int attach_trace(const struct bpf_program *prog, long cookie,
			struct bpf_link **link)
{
	(void)cookie;
	*link = bpf_program__attach_trace(prog);
	return *link ? 0 : -errno;
}

int attach_btf_register(void)
{
	/* spelled out, not LIBBPF_OPTS(): cppcheck reads no system headers */
	struct libbpf_prog_handler_opts opts = {
		.sz = sizeof(opts),
		.prog_prepare_load_fn = prepare_load,
		.prog_attach_fn = attach_trace,
	};
	int err;

	if (registered)
		return 0;
	err = libbpf_register_prog_handler("fentry/", BPF_PROG_TYPE_TRACING,
					   BPF_TRACE_FENTRY, &opts);
	if (err < 0)
		return err;
	err = libbpf_register_prog_handler("fexit/", BPF_PROG_TYPE_TRACING,
					   BPF_TRACE_FEXIT, &opts);
	/* half registered is fine: each section type is whole */
	if (err < 0)
		return err;
	registered = true;
	return 0;
}

void attach_btf_resolve(struct bpf_object *obj)
{
	const char *funcs[TARGETS_MAX];
	struct kf_btf_loc loc[TARGETS_MAX];
	struct bpf_program *prog, *progs[TARGETS_MAX];
	size_t n = 0;

	n_targets = 0;
	bpf_object__for_each_program(prog, obj) {
		const char *func = target_of(prog);
		const char *sec = bpf_program__section_name(prog);

		if (!bpf_program__autoload(prog) || !func || n == TARGETS_MAX ||
		    (strncmp(sec, "fentry/", 7) && strncmp(sec, "fexit/", 6)))
			continue;
		progs[n] = prog;
		funcs[n++] = func;
	}
	/* not understood: prepare_load() asks libbpf for each */
	if (!n || kf_btf_func_ids(funcs, n, loc))
		return;
	for (size_t i = 0; i < n; i++) {
		int fd = 0;

		if (loc[i].id && loc[i].module[0])
			fd = module_btf_fd(loc[i].module);
		snprintf(targets[i].prog, sizeof(targets[0].prog), "%s",
			 bpf_program__name(progs[i]));
		targets[i].obj_fd = fd > 0 ? fd : 0;
		targets[i].btf_id = loc[i].id;
		/* what libbpf answers for a function nowhere */
		targets[i].err = !loc[i].id ? -ESRCH : fd < 0 ? fd : 0;
		if (!targets[i].err)
			bpf_program__set_attach_target(progs[i], NO_VMLINUX_PARSE, NULL);
	}
	n_targets = n;
}

void attach_btf_drop(void)
{
	for (size_t i = 0; i < n_modules; i++)
		close(modules[i].fd);
	n_modules = 0;
	n_targets = 0;
	load_hook = NULL;
	load_hook_ctx = NULL;
}

void attach_btf_on_load(void (*fn)(struct bpf_program *prog, void *ctx), void *ctx)
{
	load_hook = fn;
	load_hook_ctx = ctx;
}
