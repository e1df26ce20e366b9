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

/* File names in messages: a terminal must not see raw control bytes. */
static void print_name(FILE *out, const char *path)
{
	char esc[512];

	if (!strcmp(path, "-")) {
		fputs("<stdin>", out);
		return;
	}
	c_escape(esc, sizeof(esc), path, strlen(path));
	fputs(esc, out);
}

static void malformed(struct report_input *in, const char *path,
		      unsigned long long lineno, const char *why)
{
	if (++in->model->malformed > REPORT_BAD_LINES_SHOWN)
		return;
	fprintf(stderr, "%s: ", in->prog);
	print_name(stderr, path);
	fprintf(stderr, ":%llu: %s\n", lineno, why);
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
	errno = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		struct report_record rec;
		const char *why;
		int r;

		lineno++;
		in->model->lines++;
		r = report_parse_line(in->parser, line, (size_t)len, &rec, &why);
		if (r < 0)
			malformed(in, path, lineno, why);
		else if (r == 0 && report_model_add(in->model, &rec)) {
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

void report_input_done(const struct report_input *in)
{
	unsigned long long n = in->model->malformed;

	if (!n)
		return;
	if (n > REPORT_BAD_LINES_SHOWN)
		fprintf(stderr, "%s: %llu malformed lines skipped (the first %d shown)\n",
			in->prog, n, REPORT_BAD_LINES_SHOWN);
	else
		fprintf(stderr, "%s: %llu malformed line%s skipped\n", in->prog, n,
			n == 1 ? "" : "s");
}
