/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report_show.h - how the report names things, the same in text and HTML:
 * log strings C-escaped (a version string may hold NUL or newlines), an
 * absent name as "-", a target or source as "host/mdev_type".
 */
#ifndef MDEVVER_REPORT_SHOW_H
#define MDEVVER_REPORT_SHOW_H

#include "report_model.h"

/* Every function returns a malloc'd string, NULL when out of memory. */

/* A name (host, type, comm, rule): C-escaped, "-" when empty. */
char *show_name(struct bstr s);

/* A version string: C-escaped in double quotes, "\"\"" when empty. */
char *show_bytes(struct bstr s);

/* "host/mdev_type" of a tally entry whose parts first..first+1 are those. */
char *show_target(const struct tally_entry *e, unsigned int first);

/*
 * The devices that read a row's string: "hostA/type, hostB/type", or
 * "unknown source" when no log has such a read.  Every device with the
 * same model gives the same string, so a fleet can list many: at most max
 * (0: all), then " (+N more)".
 */
char *show_source(const struct report_matrix *mx, size_t row, size_t max);

/* Sources listed before "(+N more)". */
#define SHOW_SOURCES_MAX 3

/*
 * Times: cut to the second by default (2026-11-23T21:17:07Z: an operator
 * reads seconds, and cutting keeps the order), the log's nanoseconds when
 * show_precise is set (--precise; one run shows one way, so a global).
 */
extern int show_precise;
#define SHOW_TIME_LEN 31
/* t normalized (TALLY_TIME_LEN characters) or ""; out gets "-" for "". */
const char *show_time(const char *t, char out[SHOW_TIME_LEN]);

/*
 * s cut to at most max characters (max >= 5) by replacing its middle with
 * "...", so both ends stay (host names differ at either end); malloc'd,
 * or NULL.  s itself is already escaped.
 */
char *show_fit(const char *s, size_t max);

/* The word for n things: one when n == 1, else many. */
const char *plural(unsigned long long n, const char *one, const char *many);

#endif
