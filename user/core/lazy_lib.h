/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * lazy_lib.h - open a shared library only when an option needs it.
 *
 * libpq (report --db) and libmicrohttpd (--metrics) pull in libcrypto,
 * gnutls, p11-kit, krb5 and ldap: linked, their pages (~4.5 MiB RSS) and
 * gnutls' constructor are paid by every start of every command, though
 * most runs use neither.  Each library gets a small loader with a typed
 * function table (pq_lib.h, mhd_lib.h): its members are declared with
 * typeof() of the prototypes in the library's own header, so the compiler
 * checks every call as if the library were linked.
 */
#ifndef MDEVVER_LAZY_LIB_H
#define MDEVVER_LAZY_LIB_H

#include <stddef.h>

/* dlopen(soname) with RTLD_NOW | RTLD_LOCAL; NULL with err set to
 * "cannot load SONAME: <dlerror>". */
void *lazy_lib_open(const char *soname, char *err, size_t errsz);

/* dlsym(handle, name); NULL with err set to
 * "cannot load SONAME: <dlerror>" (a library too old for us). */
void *lazy_lib_sym(void *handle, const char *soname, const char *name,
		   char *err, size_t errsz);

#endif
