/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * core_btf.h - a small target BTF for libbpf's CO-RE relocations, handed
 * over as btf_custom_path (core_btf.c says why and what is in it).
 *
 * Use: core_btf_open() before the object is opened (its path goes into
 * the open options), core_btf_fill() after it is opened and before it is
 * loaded, core_btf_close() after the load.
 */
#ifndef MDEVVER_CORE_BTF_H
#define MDEVVER_CORE_BTF_H

#include <stddef.h>
#include <stdint.h>

struct btf;
struct btf_raw;

struct core_btf {
	int fd;			/* memfd; -1: not used */
	char path[32];		/* /proc/self/fd/<fd> */
	uint32_t types;		/* types written (0: vmlinux's whole) */
};

/* 0 with cb usable, or -1 (cb->fd -1: let libbpf use vmlinux's BTF): no
 * vmlinux BTF readable, or no memfd. */
int core_btf_open(struct core_btf *cb);
/* Write the target for the object whose BTF is local: the small one, or
 * vmlinux's whole when it cannot be made.  0, or -errno (nothing usable:
 * the load would fail). */
int core_btf_fill(struct core_btf *cb, const struct btf *local);
void core_btf_close(struct core_btf *cb);

/* The small BTF itself (unit-tested): the types of vmlinux (raw) named
 * like one of names[] (flavours cut) -- or, for a name vmlinux lacks, of
 * the n_modules modules' split BTF -- and what they embed.  Returns a
 * malloc'ed raw BTF of *size bytes and its type count in *types, or NULL. */
void *core_btf_build(const struct btf_raw *vmlinux, const struct btf_raw *const *modules,
		     size_t n_modules, const char *const *names, size_t n_names,
		     size_t *size, uint32_t *types);

#endif /* MDEVVER_CORE_BTF_H */
