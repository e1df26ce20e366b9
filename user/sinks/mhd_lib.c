// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* mhd_lib.c - libmicrohttpd's function table (mhd_lib.h). */
#include "lazy_lib.h"
#include "mhd_lib.h"

const struct mhd_lib *mhd_lib(char *err, size_t errsz)
{
	static struct mhd_lib lib;
	static int loaded;
	void *h;

	if (loaded)
		return &lib;
	h = lazy_lib_open(MHD_LIB_SONAME, err, errsz);
	if (!h)
		return NULL;
#define MHD_LIB_LOAD(f)								\
	lib.f = (__typeof__(lib.f))lazy_lib_sym(h, MHD_LIB_SONAME, #f, err, errsz); \
	if (!lib.f)								\
		return NULL;
	MHD_LIB_FUNCS(MHD_LIB_LOAD)
#undef MHD_LIB_LOAD
	loaded = 1;
	return &lib;
}
