// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * top.c - the live view.  Records (from the kernel through the tracer, or
 * from an audit log with --replay) feed top_model; this file only draws it:
 * with ncurses on a terminal, as plain text refreshed every interval when
 * stdout is not one.  Keys: q quit, p pause, s sort, f filter, c clear.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <ncurses.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "record.h"
#include "sat.h"
#include "sink.h"
#include "top.h"
#include "top_model.h"
#include "trace.h"
#include "trace_options.h"

/* filter cycle: all, then each outcome class */
#define FILTER_ALL TOP_OUTCOMES

struct top_state {
	struct top_model model;
	const char *replay;
	char replay_shown[256];	/* replay, C-escaped for the screen and stderr */
	bool curses;		/* stdout is a terminal */
	bool curses_on;
	bool paused;
	enum top_sort sort;
	int filter;		/* enum top_outcome or FILTER_ALL */
	double interval_s;
	double next_draw;
	bool dirty;
};

static volatile sig_atomic_t top_exiting;

static void on_top_signal(int sig)
{
	(void)sig;
	top_exiting = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- drawing: one line at a time, to curses or to stdout -------------- */

enum line_style { STYLE_PLAIN, STYLE_HEADER, STYLE_GOOD, STYLE_BAD, STYLE_WARN };

struct canvas {
	struct top_state *st;
	int y, rows, cols;
};

/* A formatted line (a macro, so the compiler checks every format). */
#define put_line(c, style, ...)						\
	do {								\
		char line_[1024];					\
									\
		snprintf(line_, sizeof(line_), __VA_ARGS__);		\
		put_text(c, style, line_);				\
	} while (0)

static void put_text(struct canvas *c, enum line_style style, const char *buf)
{
	if (!c->st->curses_on) {
		puts(buf);
		return;
	}
	if (c->y >= c->rows - 1)	/* last row: key help */
		return;
	if (style != STYLE_PLAIN && has_colors())
		attron(COLOR_PAIR(style));
	if (style == STYLE_HEADER)
		attron(A_BOLD);
	mvaddnstr(c->y, 0, buf, c->cols);
	attrset(A_NORMAL);
	c->y++;
}

static enum line_style style_of(enum top_outcome o)
{
	switch (o) {
	case TOP_COMPATIBLE:
		return STYLE_GOOD;
	case TOP_INCOMPATIBLE:
	case TOP_DENIED:
		return STYLE_BAD;
	case TOP_UNSUPPORTED:
		return STYLE_WARN;
	default:
		return STYLE_PLAIN;
	}
}

static bool row_passes(const struct top_row *r, int filter)
{
	return filter == FILTER_ALL || r->counts[filter] > 0;
}

static void draw(struct top_state *st)
{
	const struct top_model *m = &st->model;
	struct canvas c = { .st = st, .rows = INT_MAX, .cols = INT_MAX };
	size_t idx[TOP_ROWS_MAX], n;
	uint64_t checks = 0;
	int room;

	if (st->curses_on) {
		erase();
		getmaxyx(stdscr, c.rows, c.cols);
	}
	for (int i = 0; i < TOP_READ; i++)
		checks = sat_add_u64(checks, m->totals[i]);
	put_line(&c, STYLE_HEADER, "mdevver-trace top - %s - mode %s - enforcement %s%s",
		 st->replay ? st->replay_shown : "live", m->mode, m->enforcement,
		 st->paused ? " - PAUSED" : "");
	put_line(&c, STYLE_PLAIN,
		 "checks %llu: compatible %llu  incompatible %llu  unsupported %llu  denied %llu  other %llu | reads %llu | lost %llu (%llu checks, %llu reads) | coalesced %llu",
		 (unsigned long long)checks,
		 (unsigned long long)m->totals[TOP_COMPATIBLE],
		 (unsigned long long)m->totals[TOP_INCOMPATIBLE],
		 (unsigned long long)m->totals[TOP_UNSUPPORTED],
		 (unsigned long long)m->totals[TOP_DENIED],
		 (unsigned long long)m->totals[TOP_OTHER],
		 (unsigned long long)m->totals[TOP_READ],
		 (unsigned long long)m->lost,
		 (unsigned long long)m->lost_checks,
		 (unsigned long long)m->lost_reads,
		 (unsigned long long)m->coalesced);
	put_line(&c, STYLE_PLAIN, "sort: %s   filter: %s", top_sort_name(st->sort),
		 st->filter == FILTER_ALL ? "all" : top_outcome_label(st->filter));
	put_line(&c, STYLE_PLAIN, "%s", "");
	put_line(&c, STYLE_HEADER, "%-14s %-18s %6s %8s %6s %6s %5s %5s %-8s %s",
		 "PARENT", "TYPE", "COMPAT", "INCOMPAT", "UNSUPP", "DENIED",
		 "OTHER", "READS", "LAST", "LAST REMOTE");
	n = top_model_order(m, st->sort, idx, TOP_ROWS_MAX);
	/* rows get at most half of the screen; recent checks the rest */
	room = st->curses_on ? (c.rows - c.y) / 2 : INT_MAX;
	for (size_t i = 0; i < n && room > 0; i++) {
		const struct top_row *r = &m->rows[idx[i]];

		if (!row_passes(r, st->filter))
			continue;
		put_line(&c, STYLE_PLAIN, "%-14s %-18s %6llu %8llu %6llu %6llu %5llu %5llu %-8s \"%s\"",
			 r->parent, r->type,
			 (unsigned long long)r->counts[TOP_COMPATIBLE],
			 (unsigned long long)r->counts[TOP_INCOMPATIBLE],
			 (unsigned long long)r->counts[TOP_UNSUPPORTED],
			 (unsigned long long)r->counts[TOP_DENIED],
			 (unsigned long long)r->counts[TOP_OTHER],
			 (unsigned long long)r->counts[TOP_READ],
			 r->last_time[0] ? r->last_time : "-", r->last_remote);
		room--;
	}
	put_line(&c, STYLE_PLAIN, "%s", "");
	put_line(&c, STYLE_HEADER, "%-8s %-7s %-15s %-5s %-32s %-12s %-7s %s", "TIME",
		 "PID", "COMM", "OP", "DEVICE/TYPE", "OUTCOME", "ERRNO", "BYTES");
	room = st->curses_on ? c.rows - 1 - c.y : 20;
	for (size_t i = 0; i < m->n_recent && room > 0; i++) {
		size_t at = (m->recent_head + TOP_RECENT_MAX - 1 - i) % TOP_RECENT_MAX;
		const struct top_recent *r = &m->recent[at];

		if (st->filter != FILTER_ALL && (int)r->cls != st->filter)
			continue;
		put_line(&c, style_of(r->cls), "%-8s %-7u %-15s %-5s %-32s %-12s %-7s \"%s\"",
			 r->time, r->pid, r->comm, r->op, r->where, r->outcome,
			 r->errname, r->bytes);
		room--;
	}
	if (st->curses_on) {
		mvaddnstr(c.rows - 1, 0,
			  "q quit  p pause  s sort  f filter  c clear", c.cols);
		refresh();
	} else {
		puts("---");
		fflush(stdout);
	}
}

/* --- input -------------------------------------------------------------- */

/* Returns true to quit. */
static bool handle_keys(struct top_state *st)
{
	int ch;

	if (!st->curses_on)
		return false;
	while ((ch = getch()) != ERR) {
		switch (ch) {
		case 'q':
		case 'Q':
			return true;
		case 'p':
			st->paused = !st->paused;
			break;
		case 's':
			st->sort = (st->sort + 1) % TOP_SORTS;
			break;
		case 'f':
			st->filter = (st->filter + 1) % (FILTER_ALL + 1);
			break;
		case 'c':
			top_model_clear(&st->model);
			break;
		case KEY_RESIZE:
			break;	/* the redraw below reads the new size */
		default:
			continue;
		}
		st->dirty = true;
	}
	return false;
}

static void curses_start(struct top_state *st)
{
	if (!st->curses || st->curses_on)
		return;
	initscr();
	cbreak();
	noecho();
	nodelay(stdscr, TRUE);
	keypad(stdscr, TRUE);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(STYLE_HEADER, COLOR_CYAN, -1);
		init_pair(STYLE_GOOD, COLOR_GREEN, -1);
		init_pair(STYLE_BAD, COLOR_RED, -1);
		init_pair(STYLE_WARN, COLOR_YELLOW, -1);
	}
	st->curses_on = true;
}

static void curses_stop(struct top_state *st)
{
	if (st->curses_on) {
		endwin();
		st->curses_on = false;
	}
}

/* One pass of the UI loop: keys, then a redraw when due.  True: quit. */
static bool ui_step(struct top_state *st)
{
	double now = now_s();

	curses_start(st);
	if (handle_keys(st) || top_exiting)
		return true;
	if (st->paused && !st->dirty)
		return false;
	if (st->dirty || now >= st->next_draw) {
		if (!st->paused || st->dirty)
			draw(st);
		st->dirty = false;
		st->next_draw = now + st->interval_s;
	}
	return false;
}

/* --- sources ------------------------------------------------------------ */

/* The live source: records from the tracer's pipeline, as they are. */
struct top_sink {
	struct sink base;
	struct top_state *st;
};

static void top_sink_record(struct sink *sk, struct pipeline *p, const struct record *r)
{
	struct top_sink *ts = (struct top_sink *)sk;

	(void)p;
	top_model_feed_record(&ts->st->model, r);
}

static const struct sink_ops top_sink_ops = {
	.name = "top",
	.record = top_sink_record,
};

static int on_tick(void *ctx)
{
	return ui_step(ctx);
}

static void on_stop(void *ctx)
{
	curses_stop(ctx);
}

static int replay(struct top_state *st)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	f = strcmp(st->replay, "-") ? fopen(st->replay, "re") : stdin;
	if (!f) {
		fprintf(stderr, "mdevver-trace top: %s: %s\n", st->replay_shown, strerror(errno));
		return 1;
	}
	while ((n = getline(&line, &cap, f)) > 0)
		top_model_feed(&st->model, line, n);
	free(line);
	if (f != stdin)
		fclose(f);
	if (st->model.bad_records)
		fprintf(stderr, "mdevver-trace top: %s: %llu lines are not JSON records\n",
			st->replay_shown, (unsigned long long)st->model.bad_records);
	if (!st->curses) {	/* plain: the final view once */
		draw(st);
		return 0;
	}
	signal(SIGINT, on_top_signal);
	signal(SIGTERM, on_top_signal);
	st->dirty = true;
	while (!ui_step(st))
		usleep(50 * 1000);
	curses_stop(st);
	return 0;
}

/* --- command line ------------------------------------------------------- */

struct top_cli {
	struct trace_cli tc;
	struct top_state *st;
};

static const struct argp_option top_options[] = {
	{ "replay", 'r', "FILE", 0, "Drive the view from an audit log (- = stdin) instead of the kernel", 0 },
	{ "interval", 'i', "SECONDS", 0, "Redraw interval (default 1; plain output: print interval)", 0 },
	{},
};

/* -p, -c, -x and -m, -a, ... as for trace (trace_options.c) */
static const struct argp_child top_children[] = {
	{ &trace_filter_argp, 0, "Which calls (as for trace):", 1 },
	{ &trace_attach_argp, 0, "Tracing (as for trace):", 2 },
	{},
};

static error_t top_parse(int key, char *arg, struct argp_state *state)
{
	struct top_cli *cli = state->input;
	char *end;
	double d;

	switch (key) {
	case ARGP_KEY_INIT:
		trace_cli_bind(state, top_children, &cli->tc);
		break;
	case 'r':
		cli->st->replay = arg;
		break;
	case 'i':
		errno = 0;
		d = strtod(arg, &end);
		/* negated: NaN compares false and is refused too */
		if (errno || end == arg || *end || !(d >= 0.1 && d <= 3600))
			argp_error(state, "invalid interval '%s' (-i): 0.1 to 3600 seconds", arg);
		cli->st->interval_s = d;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int cmd_top(int argc, char **argv)
{
	static const struct argp argp = {
		.options = top_options,
		.parser = top_parse,
		.children = top_children,
		.doc = "Live view of mdev version checks: totals, one row per parent "
		       "device and type, and the most recent checks.\v"
		       "Keys: q quit, p pause, s sort (device, total, recent), f filter "
		       "by outcome, c clear.  When stdout is not a terminal the view is "
		       "printed as text every interval (with --replay: once).\n\n"
		       "EXAMPLES:\n    mdevver-trace top\n"
		       "    mdevver-trace top --replay /var/log/mdevver-trace.jsonl",
	};
	struct top_sink sink = { .base.ops = &top_sink_ops };
	struct top_state *st;
	struct top_cli cli;
	int ret;

	st = calloc(1, sizeof(*st));	/* the model is ~150 KiB: not the stack */
	if (!st) {
		fprintf(stderr, "mdevver-trace top: out of memory\n");
		return 1;
	}
	memset(&cli, 0, sizeof(cli));
	cli.st = st;
	st->interval_s = 1.0;
	st->filter = FILTER_ALL;
	top_model_init(&st->model);
	trace_cli_init(&cli.tc);
	if (argp_parse(&argp, argc, argv, 0, NULL, &cli)) {
		free(st);
		return 2;
	}
	st->curses = isatty(STDOUT_FILENO);
	if (st->replay) {
		c_escape(st->replay_shown, sizeof(st->replay_shown), st->replay,
			 strlen(st->replay));
		ret = replay(st);
		free(st);
		return ret;
	}
	/* read through cli.tc.trace.sink by the sink's callbacks */
	// cppcheck-suppress unreadVariable
	sink.st = st;
	cli.tc.trace.quiet = true;
	cli.tc.trace.sink = &sink.base;
	cli.tc.trace.tick_cb = on_tick;
	cli.tc.trace.stop_cb = on_stop;
	cli.tc.trace.cb_ctx = st;
	trace_cli_done(&cli.tc);
	ret = cmd_trace(&cli.tc.trace);
	curses_stop(st);
	free(st);
	return ret;
}
