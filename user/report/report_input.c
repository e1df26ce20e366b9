// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report_input.c - audit logs, line by line, into the report model.  A log
 * may be cut mid-line (copied while written, rotated, merged by hand): one
 * bad line must not cost the rest of the report, so it is counted, not
 * fatal.  A log that cannot be read at all is fatal: a report silently
 * missing a host would look complete.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report_input.h"
#include "report_show.h"

/* File names in messages: a terminal must not see raw control bytes. */
static const char *shown_name(const char *path, char esc[512])
{
	if (!strcmp(path, "-"))
		return "<stdin>";
	c_escape(esc, 512, path, strlen(path));
	return esc;
}

static void print_name(FILE *out, const char *path)
{
	char esc[512];

	fputs(shown_name(path, esc), out);
}

void report_input_bad(struct report_input *in, const char *path,
		      unsigned long long lineno, const char *why)
{
	char esc[512];
	uint64_t i = in->model->malformed++;

	/* out of memory costs only the message, not the count */
	if (i < REPORT_BAD_LINES_SHOWN &&
	    asprintf(&in->bad[i], "%s:%llu: %s", shown_name(path, esc), lineno, why) < 0)
		in->bad[i] = NULL;
}

int report_read_log(struct report_input *in, const char *path)
{
	int is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "re");
	unsigned long long lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int ret = 0;

	if (!f) {
		int err = errno;

		fprintf(stderr, "%s: cannot open ", in->prog);
		print_name(stderr, path);
		fprintf(stderr, ": %s\n", strerror(err));
		return -1;
	}
	in->model->logs++;
	in->last_path = path;
	errno = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		struct report_record rec;
		const char *why;
		int r;

		lineno++;
		in->model->lines++;
		r = report_parse_line(in->parser, line, (size_t)len, &rec, &why);
		if (r < 0)
			report_input_bad(in, path, lineno, why);
		else if (r == 0 && report_input_add(in, &rec)) {
			fprintf(stderr, "%s: out of memory\n", in->prog);
			ret = -1;
			break;
		}
		errno = 0;
	}
	/* getline ends with -1 at EOF and on errors alike (EISDIR, EIO,
	 * ENOMEM for a line that does not fit in memory) */
	if (!ret && (ferror(f) || errno == ENOMEM)) {
		int err = errno ? errno : EIO;

		fprintf(stderr, "%s: cannot read ", in->prog);
		print_name(stderr, path);
		fprintf(stderr, ": %s\n", strerror(err));
		ret = -1;
	}
	free(line);
	if (!is_stdin)
		fclose(f);
	return ret;
}

int report_input_add(struct report_input *in, const struct report_record *rec)
{
	if (!report_filter_match(in->filter, rec)) {
		in->filtered++;
		return 0;
	}
	return report_model_add(in->model, rec);
}

void report_input_discard(struct report_input *in)
{
	for (int i = 0; i < REPORT_BAD_LINES_SHOWN; i++) {
		free(in->bad[i]);
		in->bad[i] = NULL;
	}
}

int report_input_no_record(struct report_input *in)
{
	const struct report_model *m = in->model;
	char esc[512];

	if (m->records)
		return 0;
	if (in->filtered) {
		fprintf(stderr, "%s: no record matches --since/--until/--host (%llu %s outside)\n",
			in->prog, (unsigned long long)in->filtered,
			plural(in->filtered, "record", "records"));
		report_input_discard(in);
		return 1;
	}
	if (m->from_db) {
		fprintf(stderr, "%s --db: no audit record in the table (%llu %s read)\n",
			in->prog, (unsigned long long)m->lines, plural(m->lines, "row", "rows"));
		report_input_discard(in);
		return 1;
	}
	if (m->logs == 1 && !m->lines)
		fprintf(stderr, "%s: no audit record in %s: it is empty\n", in->prog,
			shown_name(in->last_path, esc));
	else if (m->logs == 1 && m->lines == 1)
		fprintf(stderr, "%s: no audit record in %s: its only line is not a JSON record "
			"of mdevver-trace -o\n", in->prog, shown_name(in->last_path, esc));
	else if (m->logs == 1)
		fprintf(stderr, "%s: no audit record in %s: none of its %llu lines is a JSON "
			"record of mdevver-trace -o\n", in->prog, shown_name(in->last_path, esc),
			(unsigned long long)m->lines);
	else if (!m->lines)
		fprintf(stderr, "%s: no audit record in %llu logs: they are empty\n", in->prog,
			(unsigned long long)m->logs);
	else
		fprintf(stderr, "%s: no audit record in %llu logs: none of their %llu %s is "
			"a JSON record of mdevver-trace -o\n", in->prog,
			(unsigned long long)m->logs, (unsigned long long)m->lines,
			plural(m->lines, "line", "lines"));
	report_input_discard(in);
	return 1;
}

void report_input_done(struct report_input *in)
{
	unsigned long long n = in->model->malformed;

	for (int i = 0; i < REPORT_BAD_LINES_SHOWN; i++)
		if (in->bad[i])
			fprintf(stderr, "%s: %s\n", in->prog, in->bad[i]);
	report_input_discard(in);
	if (!n)
		return;
	if (n > REPORT_BAD_LINES_SHOWN)
		fprintf(stderr, "%s: %llu malformed lines skipped (the first %d shown)\n",
			in->prog, n, REPORT_BAD_LINES_SHOWN);
	else
		fprintf(stderr, "%s: %llu malformed line%s skipped\n", in->prog, n,
			n == 1 ? "" : "s");
}
