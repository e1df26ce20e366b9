// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* report_show.c - the report's names for log strings (see report_show.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report_show.h"

/* c_escape turns one byte into at most 4 characters */
static char *escape(struct bstr s, const char *quote)
{
	size_t q = strlen(quote), cap = s.len * 4 + 2 * q + 1;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	memcpy(out, quote, q);
	q += c_escape(out + q, cap - 2 * q, s.p, s.len);
	memcpy(out + q, quote, strlen(quote) + 1);
	return out;
}

char *show_name(struct bstr s)
{
	return s.len ? escape(s, "") : strdup("-");
}

char *show_bytes(struct bstr s)
{
	return escape(s, "\"");
}

char *show_target(const struct tally_entry *e, unsigned int first)
{
	char *host = show_name(e->part[first]);
	char *type = show_name(e->part[first + 1]);
	char *out = NULL;

	if (host && type && asprintf(&out, "%s/%s", host, type) < 0)
		out = NULL;
	free(host);
	free(type);
	return out;
}

char *show_source(const struct report_matrix *mx, size_t row, size_t max)
{
	const struct report_row *r = &mx->rows[row];
	size_t n = r->src_end - r->src_first, shown = max && max < n ? max : n;
	char *out = NULL;
	size_t len = 0;

	if (!n)
		return strdup("unknown source");
	for (size_t i = r->src_first; i < r->src_first + shown; i++) {
		char *t = show_target(mx->src[i], 1), *grown;
		size_t tl;

		if (!t)
			goto oom;
		tl = strlen(t);
		grown = realloc(out, len + tl + 3);
		if (!grown) {
			free(t);
			goto oom;
		}
		out = grown;
		if (len) {
			memcpy(out + len, ", ", 2);
			len += 2;
		}
		memcpy(out + len, t, tl + 1);
		len += tl;
		free(t);
	}
	if (shown < n) {
		char *more;

		if (asprintf(&more, "%s (+%zu more)", out, n - shown) < 0)
			goto oom;
		free(out);
		out = more;
	}
	return out;
oom:
	free(out);
	return NULL;
}

const char *plural(unsigned long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

int show_precise;

const char *show_time(const char *t, char out[SHOW_TIME_LEN])
{
	if (!t || strlen(t) != TALLY_TIME_LEN) {
		snprintf(out, SHOW_TIME_LEN, "-");
	} else if (show_precise) {
		snprintf(out, SHOW_TIME_LEN, "%s", t);
	} else {
		/* "YYYY-MM-DDTHH:MM:SS" then "Z" */
		memcpy(out, t, 19);
		out[19] = 'Z';
		out[20] = '\0';
	}
	return out;
}

char *show_fit(const char *s, size_t max)
{
	size_t len = strlen(s), head, tail;
	char *out;

	if (len <= max || max < 5)
		return strdup(s);
	head = (max - 3 + 1) / 2;
	tail = max - 3 - head;
	out = malloc(max + 1);
	if (!out)
		return NULL;
	memcpy(out, s, head);
	memcpy(out + head, "...", 3);
	memcpy(out + head + 3, s + len - tail, tail + 1);
	return out;
}
