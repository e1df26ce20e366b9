/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* btf_scan.h - FUNC lookups in raw kernel BTF without libbpf's parser. */
#ifndef MDEVVER_BTF_SCAN_H
#define MDEVVER_BTF_SCAN_H

#include <stddef.h>
#include <stdint.h>

struct btf_raw {
	char *data;
	size_t size;
};

/* Read a BTF file (/sys/kernel/btf/...) whole: 0, or -1 (r empty). */
int btf_raw_read(const char *path, struct btf_raw *r);
void btf_raw_free(struct btf_raw *r);
/* Is there a FUNC named func in r (split BTF over base when base is not
 * NULL)?  1 yes, 0 no, -1 unknown (not BTF this code understands). */
int btf_raw_has_func(const struct btf_raw *r, const struct btf_raw *base,
		     const char *func);

/* The number of types in r (the void type 0 not counted), or -1. */
long btf_raw_type_count(const struct btf_raw *r);
/* As btf_raw_has_func(); on 1, *id is the FUNC's type id as the kernel
 * numbers it -- a split BTF's ids continue after its base's base_count
 * (btf_raw_type_count(base)) -- which is what a fentry/fexit program's
 * attach_btf_id names. */
int btf_raw_func_id(const struct btf_raw *r, const struct btf_raw *base,
		    uint32_t base_count, const char *func, uint32_t *id);

/* All of funcs in one walk: ids[i] the first FUNC named funcs[i], 0 for
 * none (ids as btf_raw_func_id() numbers them); *count the types of r.
 * 0, or -1 not understood. */
int btf_raw_func_ids(const struct btf_raw *r, const struct btf_raw *base,
		     uint32_t base_count, const char *const *funcs, size_t n,
		     uint32_t *ids, uint32_t *count);

/* Random access to r's types (core_btf.c): offs[i] is where type id i + 1
 * starts in r->data (malloc'ed, *count entries).  0, or -1 not understood. */
int btf_raw_index(const struct btf_raw *r, uint32_t **offs, uint32_t *count);
/* The string at offset off of r's string section, or NULL. */
const char *btf_raw_str(const struct btf_raw *r, uint32_t off);
/* Bytes after struct btf_type for the record at type, or -1 (kind not
 * known). */
long btf_raw_extra_size(const void *type);

#endif /* MDEVVER_BTF_SCAN_H */
