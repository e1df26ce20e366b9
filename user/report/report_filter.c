// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report_filter.c - the time range and host filter of the report (see
 * report_filter.h).  Times compare as normalized text, the way the model
 * orders them, so a bound means the same thing for every writer's
 * precision.
 */
#include <string.h>

#include "report_filter.h"

int report_filter_time(const char *arg, char out[REPORT_TIME_LEN + 1])
{
	size_t len = strlen(arg);

	/* a bare date: its first instant, so --since D --until D+1 is day D */
	if (len == 10) {
		char day[32];

		memcpy(day, arg, 10);
		memcpy(day + 10, "T00:00:00Z", 11);
		return report_normalize_time(day, 20, out);
	}
	return report_normalize_time(arg, len, out);
}

bool report_filter_active(const struct report_filter *f)
{
	return f && (f->since[0] || f->until[0] || f->n_hosts);
}

bool report_filter_match(const struct report_filter *f, const struct report_record *r)
{
	bool host_ok;

	if (!f)
		return true;
	if (f->since[0] && strcmp(r->time, f->since) < 0)
		return false;
	if (f->until[0] && strcmp(r->time, f->until) >= 0)
		return false;
	host_ok = !f->n_hosts;
	for (int i = 0; i < f->n_hosts && !host_ok; i++)
		host_ok = r->host.len == strlen(f->hosts[i]) &&
			  !memcmp(r->host.p, f->hosts[i], r->host.len);
	return host_ok;
}
