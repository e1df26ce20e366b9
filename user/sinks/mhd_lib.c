// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* mhd_lib.c - libmicrohttpd's function table (mhd_lib.h). */
#include "lazy_lib.h"
#include "mhd_lib.h"

LAZY_LIB_LOADER(mhd_lib, mhd_lib, MHD_LIB_SONAME, MHD_LIB_FUNCS)
