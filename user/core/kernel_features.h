/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * kernel_features.h - what this kernel offers, found by looking: BTF, BTF
 * functions (vmlinux and modules), kallsyms symbols, tracepoints, BPF LSM.
 */
#ifndef MDEVVER_KERNEL_FEATURES_H
#define MDEVVER_KERNEL_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#define VMLINUX_BTF_PATH "/sys/kernel/btf/vmlinux"

bool kf_has_vmlinux_btf(void);
/*
 * Is there a BTF FUNC named func in vmlinux or in any loaded module's BTF?
 * On success with a module, copies its name to module (may be NULL).
 */
bool kf_btf_has_func(const char *func, char *module, size_t module_sz);
/* Is func a kernel symbol (/proc/kallsyms, text symbols only)? */
bool kf_kallsyms_has(const char *func);

/* The address of the data symbol sym of module mod ("[vfio]" in
 * /proc/kallsyms), or 0: not there, twice there, or hidden (kptr_restrict). */
unsigned long long kf_kallsyms_module_data(const char *mod, const char *sym);

/* Is func in the BTF of the loaded module (/sys/kernel/btf/<module>)?
 * Parsed BTF is cached until kf_btf_cache_drop(). */
bool kf_module_btf_has_func(const char *module, const char *func);
void kf_btf_cache_drop(void);
/* vmlinux's raw BTF as the questions above read it (cached until
 * kf_btf_cache_drop()), or NULL. */
struct btf_raw;
const struct btf_raw *kf_vmlinux_btf_raw(void);
/* Every loaded module's raw BTF (split on vmlinux's), up to max, each
 * read once and cached like vmlinux's: how many were put in raws. */
size_t kf_module_btf_raws(const struct btf_raw **raws, size_t max);
/*
 * Where each of funcs (at most 32) is a BTF FUNC, for fentry/fexit
 * attaches: loc[i].id its type id as the kernel numbers it (0: nowhere),
 * loc[i].module "" for vmlinux or the module's name.  vmlinux's BTF is
 * walked once for all names, each module's once for those not found yet.
 * 0, or -1: BTF the raw walk does not understand (ask libbpf).  Uses the
 * same cached vmlinux BTF as the questions above.
 */
struct kf_btf_loc {
	char module[64];
	__u32 id;
};
int kf_btf_func_ids(const char *const *funcs, size_t n, struct kf_btf_loc *loc);
/* Every question above about funcs (at most 32) answered ahead by one
 * kf_btf_func_ids() walk and remembered, ids included, until
 * kf_btf_cache_drop(): the attach ladder's presence checks and its attach
 * targets then cost one walk instead of one per name. */
void kf_btf_prefetch(const char *const *funcs, size_t n);
/* Does tracepoint category/name exist in tracefs (either mount point)?
 * Returns 1 yes, 0 no, -1 tracefs not mounted (unknown). */
int kf_tracepoint_exists(const char *category, const char *name);
/* Is "bpf" in /sys/kernel/security/lsm?  Fills lsm_list (may be NULL) with
 * the list or an explanation.  Returns 1 active, 0 not, -1 unknown. */
int kf_bpf_lsm_active(char *lsm_list, size_t sz);
/*
 * The file systems the tool reads the kernel through, and the command that
 * mounts each where nobody did (a minimal container or initramfs):
 * tracefs (tracepoint ids, syscall mode), securityfs (the active LSMs,
 * enforce), bpffs (enforce --pin).
 */
#define KF_MOUNT_TRACEFS "mount -t tracefs nodev /sys/kernel/tracing"
#define KF_MOUNT_SECURITYFS "mount -t securityfs securityfs /sys/kernel/security"
#define KF_MOUNT_BPFFS "mount -t bpf bpf /sys/fs/bpf"
/* Tracepoint events visible in either place libbpf looks? */
bool kf_tracefs_mounted(void);
/* Is the file system at path of this statfs magic? */
bool kf_fs_is(const char *path, long magic);
#define KF_SECURITYFS_PATH "/sys/kernel/security"
#define KF_BPFFS_PATH "/sys/fs/bpf"

/* Kernel release (uname -r). */
const char *kf_kernel_release(void);

#endif
