/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * attach_btf.h - fentry/fexit attach targets (BTF object and type id)
 * resolved by the project's raw BTF walk instead of libbpf's per-program
 * scans and module BTF loading (attach_btf.c says why).
 */
#ifndef MDEVVER_ATTACH_BTF_H
#define MDEVVER_ATTACH_BTF_H

struct bpf_object;
struct bpf_program;

/* Register the "fentry/" and "fexit/" section handlers; before the first
 * open of the object.  Once per process; 0 or a negative errno (then
 * libbpf's own handlers stay in charge). */
int attach_btf_register(void);
/* Resolve the targets of obj's autoloaded fentry/fexit programs: after
 * autoload is decided, before the kernel BTF cache is dropped and before
 * load.  What is not resolved here the handler resolves through libbpf. */
void attach_btf_resolve(struct bpf_object *obj);
/* Close the module BTF fds kept for the load (after it); forgets the
 * load hook. */
void attach_btf_drop(void);
/* fn(prog, ctx) runs in the loading thread right before each fentry/fexit
 * program is loaded, when the programs before it in the object are loaded
 * (attach_early.c); until attach_btf_drop().  NULL: none. */
void attach_btf_on_load(void (*fn)(struct bpf_program *prog, void *ctx), void *ctx);

#endif
