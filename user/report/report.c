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
#include "report_db.h"
#include "report_html.h"
#include "report_input.h"
#include "report_show.h"
#include "report_text.h"

/* every message of ours: `mdevver-trace: report: <what>: <why>` */
#define PROG "mdevver-trace: report"

enum { OPT_HTML = 0x100, OPT_SOURCE, OPT_PRECISE, OPT_DB, OPT_SINCE, OPT_UNTIL, OPT_HOST };

struct report_args {
	const char *html;
	const char *source;		/* --source HOST/TYPE as given */
	struct bstr src_host, src_type;
	bool precise;
	const char *db;			/* --db CONNINFO: the collector's table */
	struct report_filter filter;	/* --since, --until, --host */
	char **logs;
	int n_logs;
};

static const struct argp_option report_options[] = {
	{ "html", OPT_HTML, "FILE", 0,
	  "Also write the report as one self-contained HTML page to FILE", 0 },
	{ "source", OPT_SOURCE, "HOST/TYPE", 0,
	  "Only where a VM on that source device can go: every target, by the latest "
	  "check of the device's strings (TYPE '-': no mdev type)", 0 },
	{ "precise", OPT_PRECISE, NULL, 0,
	  "Times to the nanosecond, as logged (default: to the second)", 0 },
	{ "db", OPT_DB, "CONNINFO", 0,
	  "Read the records from the collector's PostgreSQL table (libpq conninfo, "
	  "e.g. 'host=/run/postgresql dbname=mdevver', or a postgresql:// URI) "
	  "instead of LOGs (docs/fleet.md)", 0 },
	{ "since", OPT_SINCE, "TIME", 0,
	  "Only records at or after TIME (RFC 3339 UTC, 2026-11-23T21:17:07Z, or a "
	  "date: its midnight UTC)", 0 },
	{ "until", OPT_UNTIL, "TIME", 0, "Only records before TIME (as --since)", 0 },
	{ "host", OPT_HOST, "HOST", 0,
	  "Only records of HOST (the record's \"host\"; repeatable: any of them)", 0 },
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
	case OPT_SOURCE: {
		/* host names and mdev type names hold no '/': the first one splits */
		const char *slash = strchr(arg, '/');
		char shown[256];

		c_escape(shown, sizeof(shown), arg, strlen(arg));
		/* argp_error exits (exit status 2); the returns are for
		 * callers with ARGP_NO_EXIT and for the analyzer */
		if (a->source) {
			argp_error(state, "--source given twice: one source a run");
			return EINVAL;
		}
		if (!slash || slash == arg || !slash[1]) {
			argp_error(state, "invalid --source '%s': expected HOST/TYPE, "
				   "e.g. hostA/i915-GVTg_V5_4", shown);
			return EINVAL;
		}
		a->source = arg;
		a->src_host = (struct bstr){ arg, (size_t)(slash - arg) };
		a->src_type = (struct bstr){ slash + 1, strlen(slash + 1) };
		/* "-" is how the report shows a null mdev type */
		if (!strcmp(slash + 1, "-"))
			a->src_type = (struct bstr){ "", 0 };
		return 0;
	}
	case OPT_PRECISE:
		a->precise = true;
		return 0;
	case OPT_DB:
		if (!*arg)
			argp_error(state, "invalid --db: empty (a libpq conninfo or URI)");
		if (a->db)
			argp_error(state, "--db given twice: one database a run");
		a->db = arg;
		return 0;
	case OPT_SINCE:
	case OPT_UNTIL: {
		char *out = key == OPT_SINCE ? a->filter.since : a->filter.until;
		char shown[256];

		c_escape(shown, sizeof(shown), arg, strlen(arg));
		if (out[0])
			argp_error(state, "%s given twice", key == OPT_SINCE ? "--since" : "--until");
		if (report_filter_time(arg, out))
			argp_error(state, "invalid %s '%s': expected RFC 3339 UTC, e.g. "
				   "2026-11-23T21:17:07Z, or a date, e.g. 2026-11-23",
				   key == OPT_SINCE ? "--since" : "--until", shown);
		return 0;
	}
	case OPT_HOST:
		if (!*arg)
			argp_error(state, "invalid --host: empty");
		if (a->filter.n_hosts == REPORT_FILTER_HOSTS_MAX)
			argp_error(state, "more than %d --host", REPORT_FILTER_HOSTS_MAX);
		a->filter.hosts[a->filter.n_hosts++] = arg;
		return 0;
	case ARGP_KEY_END:
		if (a->filter.since[0] && a->filter.until[0] &&
		    strcmp(a->filter.since, a->filter.until) >= 0)
			argp_error(state, "--since is not before --until: no record can match");
		return 0;
	case ARGP_KEY_ARGS:
		if (a->db)
			argp_error(state, "--db and LOG: one source a run (the table or logs)");
		a->logs = state->argv + state->next;
		a->n_logs = state->argc - state->next;
		return 0;
	case ARGP_KEY_NO_ARGS:
		if (a->db)
			return 0;
		argp_error(state, "missing LOG: give one or more audit logs ('-' for stdin)");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* Write the page to f (opened by the caller) and close it; 0 or -1. */
static int write_html(FILE *f, const struct report_args *a, struct report_model *m)
{
	const char *path = a->html;

	if (a->source ? report_write_html_source(f, m, a->src_host, a->src_type) :
	    report_write_html(f, m)) {
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

/*
 * --source: the device's answer as text, into memory first: a device that
 * is not a source is one error line, before the page is created.  0, or 1
 * after that line.
 */
static int source_text(const struct report_args *a, struct report_model *m,
		       char **text, size_t *len)
{
	char shown[256];
	FILE *f = open_memstream(text, len);
	int r;

	if (!f) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return 1;
	}
	r = report_write_text_source(f, m, a->src_host, a->src_type);
	if (fclose(f) && !r)
		r = -1;
	if (!r)
		return 0;
	free(*text);
	*text = NULL;
	c_escape(shown, sizeof(shown), a->source, strlen(a->source));
	if (r < 0)
		fprintf(stderr, "%s: out of memory\n", PROG);
	else if (r == 1)
		fprintf(stderr, "%s: --source %s: no such host/mdev_type in the logs (no check "
			"or read names it)\n", PROG, shown);
	else
		fprintf(stderr, "%s: --source %s: no log has a read of its version string, so "
			"where its VMs can go is unknown (trace that host too)\n", PROG, shown);
	return 1;
}

int cmd_report(int argc, char **argv)
{
	static const struct argp argp = {
		.options = report_options,
		.parser = report_parse,
		.args_doc = "LOG...\n--db CONNINFO",
		.doc = "Merge audit logs (mdevver-trace -o FILE, JSON Lines) from one or "
		       "more hosts and answer, per source device (a host/mdev_type that "
		       "read a version string), where a VM on it can go; then a summary "
		       "and a compatibility matrix: which source version strings were "
		       "checked against which target host/mdev_type, with what outcome.  "
		       "LOG '-' is stdin.  Lines that are not records are counted and "
		       "skipped; input with no record at all is an error.\v"
		       "EXAMPLES:\n"
		       "    mdevver-trace report hostA.jsonl hostB.jsonl\n"
		       "    mdevver-trace report --source hostA/i915-GVTg_V5_4 *.jsonl\n"
		       "    mdevver-trace report --html report.html /var/log/mdevver-trace/*.jsonl\n"
		       "    mdevver-trace report --db 'dbname=mdevver' --since 2026-11-23 --host hostA\n"
		       "    ssh hostB cat /var/log/mdevver-trace/audit.jsonl | mdevver-trace report hostA.jsonl -",
	};
	struct report_args a = { 0 };
	struct report_model model;
	struct report_input in = { .prog = PROG };
	FILE *html = NULL;
	char *src_text = NULL;
	size_t src_len = 0;
	int ret = 0;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;
	show_precise = a.precise;
	if (a.html && check_html_target(&a))
		return 2;
	if (report_model_init(&model)) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return 1;
	}
	in.model = &model;
	in.filter = &a.filter;
	in.parser = report_parser_new();
	if (!in.parser) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		report_model_free(&model);
		return 1;
	}
	if (a.db && report_read_db(&in, a.db))
		ret = 1;
	for (int i = 0; i < a.n_logs && !ret; i++)
		if (report_read_log(&in, a.logs[i]))
			ret = 1;
	report_parser_free(in.parser);
	if (!ret && report_model_finish(&model)) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		ret = 1;
	}
	if (ret)
		report_input_discard(&in);
	else
		ret = report_input_no_record(&in);
	if (!ret && a.source)
		ret = source_text(&a, &model, &src_text, &src_len);
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
		if (src_text)
			fwrite(src_text, 1, src_len, stdout);
		if (!src_text && report_write_text(stdout, &model)) {
			fprintf(stderr, "%s: out of memory\n", PROG);
			ret = 1;
		} else if (fflush(stdout) || ferror(stdout)) {
			fprintf(stderr, "%s: cannot write the report: %s\n", PROG, strerror(errno));
			ret = 1;
		}
	}
	if (html && ret)
		fclose(html);
	else if (html && write_html(html, &a, &model))
		ret = 1;
	free(src_text);
	report_input_discard(&in);	/* after an error: the held messages */
	report_model_free(&model);
	return ret;
}
