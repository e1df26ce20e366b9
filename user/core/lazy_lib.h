/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * lazy_lib.h - open a shared library only when an option needs it.
 *
 * libpq (report --db) and libmicrohttpd (--metrics) pull in libcrypto,
 * gnutls, p11-kit, krb5 and ldap; libsystemd (--journal, and sd_notify
 * under a Type=notify unit) pulls in libgcrypt, libgpg-error, liblzma,
 * libzstd, liblz4 and libcap.  Linked, their pages (~5.5 MiB RSS together)
 * and their constructors are paid by every start of every command, though
 * most runs use none of them.  Each library gets a typed function table
 * (pq_lib.h, mhd_lib.h, sd_lib.h): its members are declared with typeof()
 * of the prototypes in the library's own header, so the compiler checks
 * every call as if the library were linked; LAZY_LIB_LOADER() below
 * writes its loader.
 */
#ifndef MDEVVER_LAZY_LIB_H
#define MDEVVER_LAZY_LIB_H

#include <stddef.h>

/* dlopen(soname) with RTLD_NOW | RTLD_LOCAL; NULL with err set to
 * "cannot load SONAME: <dlerror>". */
void *lazy_lib_open(const char *soname, char *err, size_t errsz);

/* dlsym(handle, name); NULL with err set to
 * "cannot load SONAME: <dlerror>" (a library too old for us). */
/* dlclose(handle): its pages are unmapped when nothing else holds it. */
void lazy_lib_close(void *handle);

void *lazy_lib_sym(void *handle, const char *soname, const char *name,
		   char *err, size_t errsz);

/* A member of a function table: a pointer typed like the header's
 * prototype of f.  Use: struct x_lib { X_FUNCS(LAZY_LIB_MEMBER) }; */
#define LAZY_LIB_MEMBER(f) __typeof__(f) *f;

/*
 * LAZY_LIB_FILL(h, SONAME, lib, FUNCS, err, errsz): fill the table lib (a
 * struct of LAZY_LIB_MEMBERs) from the open handle h.  An expression: 0,
 * or -1 with err set when one of the functions is missing.
 */
#define LAZY_LIB_FILL(H, SONAME, LIB, FUNCS, ERR, ERRSZ)			\
	({									\
		void *h_ = (H);							\
		const char *soname_ = (SONAME);					\
		char *err_ = (ERR);						\
		size_t errsz_ = (ERRSZ);					\
		__typeof__(LIB) *libp_ = &(LIB);				\
		int ok_ = 1;							\
		FUNCS(LAZY_LIB_FILL_ONE_)					\
		ok_ ? 0 : -1;							\
	})

#define LAZY_LIB_FILL_ONE_(f)							\
	if (ok_) {								\
		libp_->f = (__typeof__(libp_->f))lazy_lib_sym(h_, soname_, #f,	\
							      err_, errsz_);	\
		ok_ = libp_->f != NULL;						\
	}

/*
 * Defines `const struct TYPE *FN(char *err, size_t errsz)`: the table of
 * the X-macro list FUNCS from SONAME, loaded on the first call and then
 * kept.  NULL with err set to "cannot load SONAME: <dlerror>" when the
 * library or one of its functions is missing (tried again on the next
 * call).  Not thread-safe: call it once before any thread uses the table.
 */
#define LAZY_LIB_LOADER(FN, TYPE, SONAME, FUNCS)	\
const struct TYPE *FN(char *err, size_t errsz)		\
{							\
	static struct TYPE lib;				\
	static int loaded;				\
	void *handle;					\
							\
	if (loaded)					\
		return &lib;				\
	handle = lazy_lib_open(SONAME, err, errsz);	\
	if (!handle)					\
		return NULL;				\
	if (LAZY_LIB_FILL(handle, SONAME, lib, FUNCS,	\
			  err, errsz)) {		\
		lazy_lib_close(handle);			\
		return NULL;				\
	}						\
	loaded = 1;					\
	return &lib;					\
}

#endif
