// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report.c - `mdevver-trace report [--html FILE] LOG...`: the command line.
 * Reads every log before writing anything, so a log that cannot be read
 * gives one error line and no partial report.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "report.h"
#include "report_html.h"
#include "report_input.h"
#include "report_text.h"

#define PROG "mdevver-trace report"

enum { OPT_HTML = 0x100 };

struct report_args {
	const char *html;
	char **logs;
	int n_logs;
};

static const struct argp_option report_options[] = {
	{ "html", OPT_HTML, "FILE", 0,
	  "Also write the report as one self-contained HTML page to FILE", 0 },
	{},
};

static error_t report_parse(int key, char *arg, struct argp_state *state)
{
	struct report_args *a = state->input;

	switch (key) {
	case OPT_HTML:
		if (!*arg)
			argp_error(state, "invalid HTML file name: empty");
		a->html = arg;
		return 0;
	case ARGP_KEY_ARGS:
		a->logs = state->argv + state->next;
		a->n_logs = state->argc - state->next;
		return 0;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "missing LOG: give one or more audit logs ('-' for stdin)");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* Write the page to f (opened by the caller) and close it; 0 or -1. */
static int write_html(FILE *f, const char *path, struct report_model *m)
{
	if (report_write_html(f, m)) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		fclose(f);
		return -1;
	}
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "%s: cannot write %s: %s\n", PROG, path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Does the first line of path look like a JSON record (a log)?  It starts
 * with '{' and ends with '}' (within the first 64 KiB).
 */
static bool looks_like_log(const char *path)
{
	static char buf[65536];
	size_t n;
	char *nl;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (!n || buf[0] != '{')
		return false;
	nl = memchr(buf, '\n', n);
	if (nl)
		n = (size_t)(nl - buf);
	while (n && (buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	return n && buf[n - 1] == '}';
}

/*
 * --html FILE must not destroy what the report is made of: refused when it
 * is one of the LOGs (same file, by inode) or an existing file whose first
 * line is a JSON record (a log given in the wrong place).  A mistyped
 * command line: exit 2, before anything is read.
 */
static int check_html_target(const struct report_args *a)
{
	char shown[512], log_shown[512];
	struct stat hs, ls;

	if (stat(a->html, &hs))
		return 0;	/* created: fine (or fopen says why not) */
	c_escape(shown, sizeof(shown), a->html, strlen(a->html));
	for (int i = 0; i < a->n_logs; i++) {
		bool is_stdin = !strcmp(a->logs[i], "-");

		if ((is_stdin ? fstat(STDIN_FILENO, &ls) : stat(a->logs[i], &ls)) ||
		    ls.st_dev != hs.st_dev || ls.st_ino != hs.st_ino)
			continue;
		c_escape(log_shown, sizeof(log_shown), a->logs[i], strlen(a->logs[i]));
		fprintf(stderr, "%s: --html %s: it is the input log %s: refusing to write over it\n",
			PROG, shown, log_shown);
		return -1;
	}
	if (S_ISREG(hs.st_mode) && looks_like_log(a->html)) {
		fprintf(stderr, "%s: --html %s: it looks like an audit log (its first line is a "
			"JSON record): refusing to write over it\n", PROG, shown);
		return -1;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct argp argp = {
		.options = report_options,
		.parser = report_parse,
		.args_doc = "LOG...",
		.doc = "Merge audit logs (mdevver-trace -o FILE, JSON Lines) from one or "
		       "more hosts into a summary and a compatibility matrix: which "
		       "source version strings were checked against which target "
		       "host/mdev_type, and with what outcome.  LOG '-' is stdin.  "
		       "Lines that are not records are counted and skipped.\v"
		       "EXAMPLES:\n"
		       "    mdevver-trace report hostA.jsonl hostB.jsonl\n"
		       "    mdevver-trace report --html report.html /var/log/mdevver/*.jsonl\n"
		       "    ssh hostB cat /var/log/mdevver.jsonl | mdevver-trace report hostA.jsonl -",
	};
	struct report_args a = { 0 };
	struct report_model model;
	struct report_input in = { .prog = PROG };
	FILE *html = NULL;
	int ret = 0;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;
	if (a.html && check_html_target(&a))
		return 2;
	if (report_model_init(&model)) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return 1;
	}
	in.model = &model;
	in.parser = report_parser_new();
	if (!in.parser) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		report_model_free(&model);
		return 1;
	}
	for (int i = 0; i < a.n_logs && !ret; i++)
		if (report_read_log(&in, a.logs[i]))
			ret = 1;
	report_parser_free(in.parser);
	/* the page is created before any output: a bad --html path then
	 * costs no half-written report */
	if (!ret && a.html) {
		html = fopen(a.html, "we");
		if (!html) {
			fprintf(stderr, "%s: cannot create %s: %s\n", PROG, a.html,
				strerror(errno));
			ret = 1;
		}
	}
	if (!ret) {
		report_input_done(&in);
		if (report_write_text(stdout, &model)) {
			fprintf(stderr, "%s: out of memory\n", PROG);
			ret = 1;
		} else if (fflush(stdout) || ferror(stdout)) {
			fprintf(stderr, "%s: cannot write the report: %s\n", PROG, strerror(errno));
			ret = 1;
		}
	}
	if (html && ret)
		fclose(html);
	else if (html && write_html(html, a.html, &model))
		ret = 1;
	report_model_free(&model);
	return ret;
}
