// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* log.c - one line per message on stderr, written whole. */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static void vlog(const char *fmt, va_list ap)
{
	char msg[2048];

	/* ap is started by every caller; clang-analyzer 14 cannot see it */
	vsnprintf(msg, sizeof(msg), fmt, ap);	// NOLINT(clang-analyzer-valist.Uninitialized)
	/* one fprintf: the line is not interleaved with another thread's */
	fprintf(stderr, "mdevver-trace: %s\n", msg);
}

void p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void p_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}
