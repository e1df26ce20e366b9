/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * mhd_lib.h - libmicrohttpd, loaded when --metrics asks for it
 * (lazy_lib.h says why it is not linked).  Calls go through mhd_lib()'s
 * table: mhd->MHD_start_daemon(...), typed like the header's prototypes.
 */
#ifndef MDEVVER_MHD_LIB_H
#define MDEVVER_MHD_LIB_H

#include <stddef.h>

#include <microhttpd.h>

#include "lazy_lib.h"

/* the ABI the header describes (Debian's libmicrohttpd12) */
#define MHD_LIB_SONAME "libmicrohttpd.so.12"

#define MHD_LIB_FUNCS(X)			\
	X(MHD_start_daemon)			\
	X(MHD_stop_daemon)			\
	X(MHD_create_response_from_buffer)	\
	X(MHD_add_response_header)		\
	X(MHD_queue_response)			\
	X(MHD_destroy_response)			\
	X(MHD_get_version)

struct mhd_lib {
	MHD_LIB_FUNCS(LAZY_LIB_MEMBER)
};

/* The table, loaded on the first call (then kept: the daemon's thread runs
 * its code until metrics_stop).  NULL with err set to
 * "cannot load libmicrohttpd.so.12: <dlerror>".  Not thread-safe: the
 * first call is made before the daemon starts. */
const struct mhd_lib *mhd_lib(char *err, size_t errsz);

#endif
