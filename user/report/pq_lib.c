// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* pq_lib.c - libpq's function table (pq_lib.h). */
#include "lazy_lib.h"
#include "pq_lib.h"

LAZY_LIB_LOADER(pq_lib, pq_lib, PQ_LIB_SONAME, PQ_LIB_FUNCS)
