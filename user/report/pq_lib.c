// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* pq_lib.c - libpq's function table (pq_lib.h). */
#include "lazy_lib.h"
#include "pq_lib.h"

const struct pq_lib *pq_lib(char *err, size_t errsz)
{
	static struct pq_lib lib;
	static int loaded;
	void *h;

	if (loaded)
		return &lib;
	h = lazy_lib_open(PQ_LIB_SONAME, err, errsz);
	if (!h)
		return NULL;
#define PQ_LIB_LOAD(f)								\
	lib.f = (__typeof__(lib.f))lazy_lib_sym(h, PQ_LIB_SONAME, #f, err, errsz); \
	if (!lib.f)								\
		return NULL;
	PQ_LIB_FUNCS(PQ_LIB_LOAD)
#undef PQ_LIB_LOAD
	loaded = 1;
	return &lib;
}
