/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report_filter.h - which records a report covers: --since/--until (a time
 * range) and --host (repeatable).  One definition for both sources: logs
 * apply it record by record, report --db also narrows its SQL with it and
 * then applies it again, so both sources keep exactly the same records.
 */
#ifndef MDEVVER_REPORT_FILTER_H
#define MDEVVER_REPORT_FILTER_H

#include <stdbool.h>

#include "report_record.h"

#define REPORT_FILTER_HOSTS_MAX 64

struct report_filter {
	/* normalized times (report_normalize_time), "" when not given:
	 * since <= time < until */
	char since[REPORT_TIME_LEN + 1];
	char until[REPORT_TIME_LEN + 1];
	const char *hosts[REPORT_FILTER_HOSTS_MAX];	/* as given (C strings) */
	int n_hosts;					/* 0: every host */
};

/*
 * --since/--until's argument: RFC 3339 UTC (2026-11-23T21:17:07Z, with up
 * to 9 fraction digits) or a date (2026-11-23: its midnight, UTC) into out.
 * 0, or -1 when it is neither.
 */
int report_filter_time(const char *arg, char out[REPORT_TIME_LEN + 1]);

/* Does any part of the filter restrict? */
bool report_filter_active(const struct report_filter *f);

/* Is the record in the report?  (f NULL: yes.) */
bool report_filter_match(const struct report_filter *f, const struct report_record *r);

#endif
