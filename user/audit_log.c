// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* audit_log.c - placeholder, being written (see audit_log.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_log.h"

struct audit_log {
	int unused;
};

int audit_flush_parse(const char *s)
{
	if (!strcmp(s, "none"))
		return AUDIT_FLUSH_NONE;
	if (!strcmp(s, "line"))
		return AUDIT_FLUSH_LINE;
	if (!strcmp(s, "fsync"))
		return AUDIT_FLUSH_FSYNC;
	return -1;
}

struct audit_log *audit_log_open(const struct audit_log_options *opt,
				 char *err, size_t errsz)
{
	(void)opt;
	snprintf(err, errsz, "audit log: not implemented yet");
	return NULL;
}

void audit_log_record(struct audit_log *log, const char *line, size_t len)
{
	(void)log, (void)line, (void)len;
}

void audit_log_reopen(struct audit_log *log)
{
	(void)log;
}

uint64_t audit_log_dropped(const struct audit_log *log)
{
	(void)log;
	return 0;
}

void audit_log_close(struct audit_log *log)
{
	free(log);
}
