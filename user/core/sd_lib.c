// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* sd_lib.c - libsystemd's function table (sd_lib.h). */
#include "sd_lib.h"

LAZY_LIB_LOADER(sd_lib, sd_lib, SD_LIB_SONAME, SD_LIB_FUNCS)
