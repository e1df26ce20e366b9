/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sd_lib.h - libsystemd, loaded when --journal or a Type=notify unit
 * (NOTIFY_SOCKET) asks for it (lazy_lib.h says why it is not linked).
 * Calls go through sd_lib()'s table: sd->sd_notify(...), typed like the
 * prototypes of <systemd/sd-daemon.h> and <systemd/sd-journal.h>.
 */
#ifndef MDEVVER_SD_LIB_H
#define MDEVVER_SD_LIB_H

#include <stddef.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include "lazy_lib.h"

/* libsystemd's ABI has been .so.0 since systemd 209 */
#define SD_LIB_SONAME "libsystemd.so.0"

/* sd_journal_sendv() is a macro adding the caller's CODE_FILE/LINE/FUNC
 * fields; the table holds the function it calls */
#define SD_LIB_FUNCS(X)			\
	X(sd_notify)			\
	X(sd_watchdog_enabled)		\
	X(sd_journal_sendv_with_location)

struct sd_lib {
	SD_LIB_FUNCS(LAZY_LIB_MEMBER)
};

/* The table, loaded on the first call and kept.  NULL with err set to
 * "cannot load libsystemd.so.0: <dlerror>". */
const struct sd_lib *sd_lib(char *err, size_t errsz);

#endif
