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
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
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
/* one screen line, in bytes: escaped names are at most ~200 characters */
#define LINE_BYTES 2048
/* plain output: no width to fit */
#define PLAIN_COLS (LINE_BYTES / 2)

struct top_state {
	struct top_model model;
	const char *replay;
	char replay_shown[256];	/* replay, C-escaped for the screen and stderr */
	char options_shown[128];	/* the filters given (-x, -p ...), escaped */
	bool curses;		/* stdout is a terminal */
	bool curses_on;
	bool paused;
	bool help;		/* the key overlay is up */
	enum top_sort sort;
	int filter;		/* enum top_outcome or FILTER_ALL */
	size_t scroll;		/* first device row shown (of those that match) */
	size_t page;		/* device rows the last draw showed: PgUp/PgDn */
	double interval_s;
	double next_draw;
	bool dirty;
};

static volatile sig_atomic_t top_exiting;

/* Marks a cut name: U+2026 where the terminal speaks UTF-8 (an escaped
 * name never holds it: c_escape writes every byte >= 0x80 as \xNN), else
 * '~'.  One column either way. */
static const char *cut_mark = "~";

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

/* --- a line of cells, measured in columns ------------------------------ */

struct line {
	char buf[LINE_BYTES];
	size_t len;
	int width;		/* columns */
};

static void line_add(struct line *l, const char *s, size_t n, int width)
{
	if (n > sizeof(l->buf) - 1 - l->len)
		return;		/* cannot happen with the widths below */
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
	l->width += width;
}

static void line_pad(struct line *l, int n)
{
	while (n-- > 0)
		line_add(l, " ", 1, 1);
}

/* One character of C-escaped text: \xNN, \n ... or a plain character;
 * a cut never splits one. */
static size_t token_len(const char *s)
{
	if (s[0] != '\\' || !s[1])
		return 1;
	if (s[1] == 'x' && s[2] && s[3])
		return 4;
	return 2;
}

/*
 * s (escaped, ASCII: one byte a column) in a cell w wide: padded (left-
 * or right-aligned) unless last, or cut at a whole escape and marked: its
 * end cut off, or with keep_end its start ("parent/type": the type or
 * device tells rows apart, the parent is in the table above).
 */
static void line_cell_cut(struct line *l, const char *s, int w, bool right, bool last,
			  bool keep_end)
{
	int n = (int)strlen(s);
	size_t take = 0;

	if (w <= 0)
		return;
	if (n <= w) {
		if (right)
			line_pad(l, w - n);
		line_add(l, s, n, n);
		if (!right && !last)
			line_pad(l, w - n);
		return;
	}
	if (keep_end) {
		size_t from;

		/* the first whole escape from which the rest fits */
		for (from = 0; s[from] && (size_t)n - from > (size_t)w - 1;)
			from += token_len(s + from);
		line_add(l, cut_mark, strlen(cut_mark), 1);
		line_add(l, s + from, n - from, n - (int)from);
		if (!last)
			line_pad(l, w - 1 - (n - (int)from));
		return;
	}
	while (s[take] && take + token_len(s + take) <= (size_t)w - 1)
		take += token_len(s + take);
	line_add(l, s, take, (int)take);
	line_add(l, cut_mark, strlen(cut_mark), 1);
	if (!last)
		line_pad(l, w - 1 - (int)take);
}

static void line_cell(struct line *l, const char *s, int w, bool right, bool last)
{
	line_cell_cut(l, s, w, right, last, false);
}

/* Plain text into a line, cut to cols columns (marked).  Used for the
 * lines that are not tables: header, totals, status. */
static void line_text(struct line *l, const char *s, int cols)
{
	line_cell(l, s, cols - l->width, false, true);
}

/* --- columns: narrowed from the right, then left out ------------------- */

struct col {
	const char *head;
	int min;		/* narrowest it may get (if its text is wider) */
	int cap;		/* narrowed to this first (0: no cap) */
	int drop;		/* 0: never left out; else the order (1 first) */
	bool right;		/* numbers */
	bool keep_end;		/* cut from the start (line_cell_cut) */
	bool hidden;		/* nothing to show in it (no rule, no enforcement) */
	bool out;		/* left out: no room */
	int want;		/* widest text, header included */
	int w;			/* laid out */
};

#define COL(h, mn, cp, dr, rt) { .head = h, .min = mn, .cap = cp, .drop = dr, .right = rt }
/* a left-out column shows as " +N" after the header */
#define OUT_MARK_W 3

static void col_measure(struct col *c, const char *text)
{
	int n = (int)strlen(text);

	if (n > c->want)
		c->want = n;
}

/*
 * Widths for cols columns: every column at its text; too wide, the
 * right-hand columns narrow first, each to its cap, then again from the
 * right each to its min; still too wide, columns are left out by drop
 * order and the rest laid out again.  Outcome, PID and the counts have
 * min = their text: never cut.  Returns how many columns were left out.
 */
static int layout(struct col *c, int n, int cols)
{
	int gone = 0;

	for (int i = 0; i < n; i++) {
		c[i].out = false;
		if (c[i].want < (int)strlen(c[i].head))
			c[i].want = (int)strlen(c[i].head);
	}
	for (;;) {
		int total = gone ? OUT_MARK_W : 0, shown = 0, excess, pick = -1;

		for (int i = 0; i < n; i++) {
			if (c[i].hidden || c[i].out)
				continue;
			c[i].w = c[i].want;
			total += c[i].w + (shown++ ? 1 : 0);
		}
		excess = total - cols;
		for (int pass = 0; pass < 2; pass++)
			for (int i = n - 1; i >= 0 && excess > 0; i--) {
				int head = (int)strlen(c[i].head);
				/* a header is never cut */
				int lo = pass == 0 ? (c[i].cap > c[i].min ? c[i].cap : c[i].w)
						   : (c[i].min > head ? c[i].min : head), cut;

				if (c[i].hidden || c[i].out || lo >= c[i].w)
					continue;
				cut = c[i].w - lo < excess ? c[i].w - lo : excess;
				c[i].w -= cut;
				excess -= cut;
			}
		if (excess <= 0)
			return gone;
		for (int i = 0; i < n; i++)
			if (!c[i].hidden && !c[i].out && c[i].drop &&
			    (pick < 0 || c[i].drop < c[pick].drop))
				pick = i;
		if (pick < 0)
			return gone;	/* the screen clips the rest */
		c[pick].out = true;
		gone++;
	}
}

/* The cells of one table row (text[i] for column i) in the laid-out widths. */
static void table_line(struct line *l, const struct col *c, int n, const char *const *text)
{
	int last = -1;

	for (int i = 0; i < n; i++)
		if (!c[i].hidden && !c[i].out)
			last = i;
	for (int i = 0, first = 1; i <= last; i++) {
		if (c[i].hidden || c[i].out)
			continue;
		if (!first)
			line_add(l, " ", 1, 1);
		first = 0;
		line_cell_cut(l, text[i], c[i].w, c[i].right, i == last, c[i].keep_end);
	}
}

static void table_head(struct line *l, const struct col *c, int n, int gone)
{
	const char *heads[16];

	for (int i = 0; i < n && i < 16; i++)
		heads[i] = c[i].head;
	table_line(l, c, n, heads);
	if (gone) {
		char mark[16];

		snprintf(mark, sizeof(mark), " +%d", gone > 9 ? 9 : gone);
		line_add(l, mark, strlen(mark), (int)strlen(mark));
	}
}

/* --- drawing: one line at a time, to curses or to stdout -------------- */

enum line_style { STYLE_PLAIN, STYLE_HEADER, STYLE_GOOD, STYLE_BAD, STYLE_WARN };

struct canvas {
	struct top_state *st;
	int y, rows, cols;
	int reserve;		/* lines kept for the migrations panel below */
};

static void put_line(struct canvas *c, enum line_style style, const struct line *l)
{
	if (!c->st->curses_on) {
		puts(l->buf);
		return;
	}
	if (c->y >= c->rows - 1)	/* last row: key help */
		return;
	if (style != STYLE_PLAIN && has_colors())
		attron(COLOR_PAIR(style));
	if (style == STYLE_HEADER)
		attron(A_BOLD);
	mvaddstr(c->y, 0, l->buf);	/* laid out to fit c->cols */
	attrset(A_NORMAL);
	c->y++;
}

/* A formatted line, cut to the width (a macro, so the compiler checks
 * every format). */
#define put_fmt(c, style, ...)						\
	do {								\
		char text_[LINE_BYTES];					\
		struct line l_ = { .len = 0 };				\
									\
		snprintf(text_, sizeof(text_), __VA_ARGS__);		\
		line_text(&l_, text_, (c)->cols);			\
		put_line(c, style, &l_);				\
	} while (0)

static enum line_style style_of(enum top_outcome o)
{
	switch (o) {
	case TOP_COMPATIBLE:
		return STYLE_GOOD;
	case TOP_INCOMPATIBLE:
	case TOP_DENIED:
		return STYLE_BAD;
	case TOP_UNSUPPORTED:
	case TOP_WOULD_DENY:
		return STYLE_WARN;
	default:
		return STYLE_PLAIN;
	}
}

static bool row_passes(const struct top_row *r, int filter)
{
	return filter == FILTER_ALL || r->counts[filter] > 0;
}

/* WDENY only where a dry run is seen: elsewhere it could only hold zeros */
static bool would_deny_shown(const struct top_model *m)
{
	return !strcmp(m->enforcement, "dry-run") || m->totals[TOP_WOULD_DENY];
}

/* Header: the source (cut first), mode, enforcement, PAUSED. */
static void draw_header(struct canvas *c)
{
	const struct top_state *st = c->st;
	const struct top_model *m = &st->model;
	const char *pre = "mdevver-trace top - ";
	char post[160];
	struct line l = { .len = 0 };
	int room;

	snprintf(post, sizeof(post), " - mode %s - enforcement %s%s%s", m->mode,
		 m->enforcement, m->enforcement_inferred ? " (from verdicts)" : "",
		 st->paused ? " - PAUSED" : "");
	room = c->cols - (int)strlen(pre) - (int)strlen(post);
	line_add(&l, pre, strlen(pre), (int)strlen(pre));
	line_cell(&l, st->replay ? st->replay_shown : "live", room < 8 ? 8 : room, false, true);
	line_text(&l, post, c->cols);
	put_line(c, STYLE_HEADER, &l);
}

/* Totals: one line where it fits, else checks and the rest on two, with
 * short labels where even the checks do not fit. */
static void draw_totals(struct canvas *c)
{
	const struct top_model *m = &c->st->model;
	unsigned long long t[TOP_OUTCOMES], checks = 0;
	char a[512], b[256], wd[40] = "";

	for (int i = 0; i < TOP_OUTCOMES; i++)
		t[i] = m->totals[i];
	for (int i = 0; i < TOP_READ; i++)
		checks = sat_add_u64(checks, m->totals[i]);
	/* would-deny only where a dry run is seen, as its column */
	if (would_deny_shown(m))
		snprintf(wd, sizeof(wd), "would-deny %llu  ", t[TOP_WOULD_DENY]);
	snprintf(a, sizeof(a), "checks %llu: compatible %llu  incompatible %llu  unsupported %llu  "
		 "denied %llu  %sother %llu", checks, t[TOP_COMPATIBLE],
		 t[TOP_INCOMPATIBLE], t[TOP_UNSUPPORTED], t[TOP_DENIED], wd, t[TOP_OTHER]);
	snprintf(b, sizeof(b), "reads %llu | lost %llu (%llu checks, %llu reads) | coalesced %llu",
		 t[TOP_READ], (unsigned long long)m->lost, (unsigned long long)m->lost_checks,
		 (unsigned long long)m->lost_reads, (unsigned long long)m->coalesced);
	if ((int)(strlen(a) + 3 + strlen(b)) <= c->cols) {
		put_fmt(c, STYLE_PLAIN, "%s | %s", a, b);
		return;
	}
	if ((int)strlen(a) > c->cols) {
		if (would_deny_shown(m))
			snprintf(wd, sizeof(wd), "would-deny %llu ", t[TOP_WOULD_DENY]);
		snprintf(a, sizeof(a), "checks %llu: compat %llu incompat %llu unsupp %llu "
			 "denied %llu %sother %llu", checks, t[TOP_COMPATIBLE],
			 t[TOP_INCOMPATIBLE], t[TOP_UNSUPPORTED], t[TOP_DENIED], wd, t[TOP_OTHER]);
	}
	put_fmt(c, STYLE_PLAIN, "%s", a);
	put_fmt(c, STYLE_PLAIN, "%s", b);
}

enum { C_PARENT, C_TYPE, C_NUM, C_RULE = C_NUM + TOP_OUTCOMES, C_LAST, C_REMOTE, C_ROW_COLS };

static const char *const num_heads[TOP_OUTCOMES] = {
	"COMPAT", "INCOMP", "UNSUP", "DENIED", "WDENY", "OTHER", "READS",
};

/* The cells of one device row. */
static void row_text(const struct top_row *r, char num[TOP_OUTCOMES][24], char *remote,
		     size_t remote_sz, const char *text[C_ROW_COLS])
{
	text[C_PARENT] = r->parent;
	text[C_TYPE] = r->type;
	for (int k = 0; k < TOP_OUTCOMES; k++) {
		snprintf(num[k], sizeof(num[k]), "%llu", (unsigned long long)r->counts[k]);
		text[C_NUM + k] = num[k];
	}
	text[C_RULE] = r->last_rule[0] ? r->last_rule : "-";
	text[C_LAST] = r->last_time[0] ? r->last_time : "-";
	snprintf(remote, remote_sz, "\"%s\"", r->last_remote);
	text[C_REMOTE] = remote;
}

/* Device rows: those that match, scrolled on a terminal, "+N more rows"
 * where they are cut. */
static void draw_rows(struct canvas *c, const size_t *idx, size_t n)
{
	struct top_state *st = c->st;
	const struct top_model *m = &st->model;
	struct col cols[C_ROW_COLS] = {
		/* as narrow as "0000:00:02.0" and "i915-GVTg_V5_4" */
		[C_PARENT] = COL("PARENT", 12, 16, 0, false),
		[C_TYPE] = COL("TYPE", 14, 24, 0, false),
		[C_RULE] = COL("RULE", 6, 20, 3, false),
		[C_LAST] = COL("LAST", 8, 8, 2, false),
		[C_REMOTE] = COL("LAST REMOTE", 8, 0, 1, false),
	};
	char num[TOP_OUTCOMES][24], remote[TOP_TEXT_MAX + 2];
	const char *text[C_ROW_COLS];
	size_t match = 0, shown, room, skipped = 0;
	struct line l = { .len = 0 };
	int gone;

	for (int k = 0; k < TOP_OUTCOMES; k++)
		cols[C_NUM + k] = (struct col)COL(num_heads[k], 99, 0, 0, true);	/* never cut */
	cols[C_NUM + TOP_WOULD_DENY].hidden = !would_deny_shown(m);
	cols[C_RULE].hidden = true;
	for (size_t i = 0; i < n; i++) {
		const struct top_row *r = &m->rows[idx[i]];

		if (!row_passes(r, st->filter))
			continue;
		match++;
		row_text(r, num, remote, sizeof(remote), text);
		for (int k = 0; k < C_ROW_COLS; k++)
			col_measure(&cols[k], text[k]);
		if (r->last_rule[0])
			cols[C_RULE].hidden = false;
	}
	gone = layout(cols, C_ROW_COLS, c->cols);
	table_head(&l, cols, C_ROW_COLS, gone);
	put_line(c, STYLE_HEADER, &l);
	if (!match) {
		put_fmt(c, STYLE_PLAIN, "no rows match (filter: %s%s%s)",
			st->filter == FILTER_ALL ? "all" : top_outcome_label(st->filter),
			st->options_shown[0] ? ", options: " : "", st->options_shown);
		st->page = 1;
		return;
	}
	/* on a terminal rows get at most half of what is left; recent
	 * checks the rest */
	room = st->curses_on ? (size_t)((c->rows - c->y - c->reserve) / 2) : SIZE_MAX;
	if (room < 2)
		room = 2;
	shown = match <= room ? match : room - 1;	/* a line for "+N more" */
	if (st->scroll > match - shown)
		st->scroll = match - shown;
	st->page = shown;
	for (size_t i = 0, k = 0; i < n && k < shown; i++) {
		const struct top_row *r = &m->rows[idx[i]];

		if (!row_passes(r, st->filter))
			continue;
		if (skipped < st->scroll) {
			skipped++;
			continue;
		}
		row_text(r, num, remote, sizeof(remote), text);
		l.len = 0;
		l.width = 0;
		l.buf[0] = '\0';
		table_line(&l, cols, C_ROW_COLS, text);
		put_line(c, STYLE_PLAIN, &l);
		k++;
	}
	if (shown < match) {
		size_t below = match - st->scroll - shown;

		if (below)
			put_fmt(c, STYLE_HEADER, "+%zu more rows: %zu-%zu of %zu shown "
				"(arrows, PgUp/PgDn, Home/End; ? help)", below,
				st->scroll + 1, st->scroll + shown, match);
		else
			put_fmt(c, STYLE_HEADER, "rows %zu-%zu of %zu shown, %zu above (Home: first)",
				st->scroll + 1, st->scroll + shown, match, st->scroll);
	}
}

enum { R_TIME, R_PID, R_COMM, R_OP, R_WHERE, R_OUTCOME, R_RULE, R_ERRNO, R_BYTES, R_COLS };

static const struct top_recent *recent_at(const struct top_model *m, size_t i)
{
	return &m->recent[(m->recent_head + TOP_RECENT_MAX - 1 - i) % TOP_RECENT_MAX];
}

static bool recent_passes(const struct top_recent *r, int filter)
{
	return filter == FILTER_ALL || (int)r->cls == filter;
}

static void recent_text(const struct top_recent *r, char *pid, size_t pid_sz, char *bytes,
			size_t bytes_sz, const char *text[R_COLS])
{
	snprintf(pid, pid_sz, "%u", r->pid);
	snprintf(bytes, bytes_sz, "\"%s\"", r->bytes);
	text[R_TIME] = r->time;
	text[R_PID] = pid;
	text[R_COMM] = r->comm;
	text[R_OP] = r->op;
	text[R_WHERE] = r->where;
	text[R_OUTCOME] = r->outcome;
	text[R_RULE] = r->rule[0] ? r->rule : "-";
	text[R_ERRNO] = r->errname;
	text[R_BYTES] = bytes;
}

/* The most recent checks and reads, newest first, to the key line. */
static void draw_recent(struct canvas *c)
{
	const struct top_state *st = c->st;
	const struct top_model *m = &st->model;
	struct col cols[R_COLS] = {
		[R_TIME] = COL("TIME", 8, 0, 0, false),
		[R_PID] = COL("PID", 99, 0, 0, false),
		[R_COMM] = COL("COMM", 6, 15, 0, false),
		[R_OP] = COL("OP", 5, 0, 0, false),
		[R_WHERE] = COL("DEVICE/TYPE", 20, 40, 0, false),
		/* never cut: "unsupported" is the answer */
		[R_OUTCOME] = COL("OUTCOME", 99, 0, 0, false),
		/* rule names are short by habit: 12 keeps most whole */
		[R_RULE] = COL("RULE", 12, 20, 3, false),
		[R_ERRNO] = COL("ERRNO", 99, 0, 2, false),
		[R_BYTES] = COL("BYTES", 10, 0, 1, false),
	};
	char pid[16], bytes[TOP_TEXT_MAX + 2];
	const char *text[R_COLS];
	struct line l = { .len = 0 };
	size_t match = 0, room, shown = 0;
	int gone;

	room = st->curses_on ? (size_t)(c->rows > c->y + 1 ? c->rows - 1 - c->y : 0) : 20;
	cols[R_WHERE].keep_end = true;
	cols[R_RULE].hidden = true;
	for (size_t i = 0; i < m->n_recent; i++) {
		const struct top_recent *r = recent_at(m, i);

		if (!recent_passes(r, st->filter))
			continue;
		if (match++ >= room)
			continue;	/* counted for "+N more", not measured */
		recent_text(r, pid, sizeof(pid), bytes, sizeof(bytes), text);
		for (int k = 0; k < R_COLS; k++)
			col_measure(&cols[k], text[k]);
		if (r->rule[0])
			cols[R_RULE].hidden = false;
	}
	gone = layout(cols, R_COLS, c->cols);
	table_head(&l, cols, R_COLS, gone);
	put_line(c, STYLE_HEADER, &l);
	room = room > 0 ? room - 1 : 0;	/* the header took a line */
	if (!match) {
		put_fmt(c, STYLE_PLAIN, "%s", m->n_recent ? "no checks or reads match the filter"
			: "no checks or reads yet");
		return;
	}
	for (size_t i = 0; i < m->n_recent; i++) {
		const struct top_recent *r = recent_at(m, i);

		if (!recent_passes(r, st->filter))
			continue;
		/* the last line says what is cut */
		if (st->curses_on && shown + 1 == room && match > room)
			break;
		if (shown == room)
			break;
		recent_text(r, pid, sizeof(pid), bytes, sizeof(bytes), text);
		l.len = 0;
		l.width = 0;
		l.buf[0] = '\0';
		table_line(&l, cols, R_COLS, text);
		put_line(c, style_of(r->cls), &l);
		shown++;
	}
	if (shown < match && st->curses_on)
		put_fmt(c, STYLE_PLAIN, "+%zu more checks and reads (older)", match - shown);
}

/* --- migrations --------------------------------------------------------- */

enum { M_TIME, M_DEVICE, M_TYPE, M_ROLE, M_OUTCOME, M_ERRNO, M_DOWN, M_BYTES, M_VM, M_COLS };

static void mig_text(const struct top_migration *g, const char *text[M_COLS])
{
	text[M_TIME] = g->time;
	text[M_DEVICE] = g->device;
	text[M_TYPE] = g->type;
	text[M_ROLE] = g->role;
	text[M_OUTCOME] = g->outcome;
	text[M_ERRNO] = g->errname;
	text[M_DOWN] = g->down;
	text[M_BYTES] = g->bytes;
	text[M_VM] = g->vm;
}

static enum line_style mig_style(enum top_mig_outcome o)
{
	return o == TOP_MIG_COMPLETED ? STYLE_GOOD : o == TOP_MIG_FAILED ? STYLE_BAD :
	       o == TOP_MIG_ABANDONED ? STYLE_WARN : STYLE_PLAIN;
}

/* Shown once a migration record came (a log or a kernel without
 * migration tracing would only show zeros). */
static bool migrations_shown(const struct top_model *m)
{
	return m->migrations > 0;
}

/* Lines the panel takes on a terminal with avail lines left: the counts,
 * the header and the latest migrations, at most 2/5 of what is left. */
static int migrations_lines(const struct top_model *m, int avail)
{
	/* plain output has INT_MAX lines: no overflow */
	int want = 2 + (int)m->n_mig, most = (int)((long long)avail * 2 / 5);

	if (!migrations_shown(m))
		return 0;
	if (most < 3)
		most = 3;
	return want < most ? want : most;
}

/* Counts by outcome, then the latest migrations, newest first, in lines
 * lines at most (a terminal; plain output: all that are kept). */
static void draw_migrations(struct canvas *c, int lines)
{
	const struct top_model *m = &c->st->model;
	struct col cols[M_COLS] = {
		[M_TIME] = COL("TIME", 8, 0, 0, false),
		/* UUIDs differ at the end: cut from the start */
		[M_DEVICE] = COL("DEVICE", 10, 14, 0, false),
		[M_TYPE] = COL("TYPE", 6, 14, 0, false),
		[M_ROLE] = COL("ROLE", 99, 0, 0, false),
		/* never cut: the answer */
		[M_OUTCOME] = COL("OUTCOME", 99, 0, 0, false),
		[M_ERRNO] = COL("ERRNO", 99, 0, 2, false),
		[M_DOWN] = COL("DOWN_MS", 99, 0, 0, true),
		[M_BYTES] = COL("BYTES", 99, 0, 3, true),
		[M_VM] = COL("VM", 6, 12, 1, false),
	};
	const char *text[M_COLS];
	struct line l = { .len = 0 };
	size_t rows = c->st->curses_on ? (size_t)(lines > 2 ? lines - 2 : 0) : m->n_mig;
	size_t shown = m->n_mig < rows ? m->n_mig : rows;
	int gone;

	char other[40] = "";

	if (m->mig_totals[TOP_MIG_OTHER])
		snprintf(other, sizeof(other), "  other %llu",
			 (unsigned long long)m->mig_totals[TOP_MIG_OTHER]);
	put_fmt(c, STYLE_PLAIN, "migrations %llu: completed %llu  failed %llu  abandoned %llu  "
		"in-progress %llu%s", (unsigned long long)m->migrations,
		(unsigned long long)m->mig_totals[TOP_MIG_COMPLETED],
		(unsigned long long)m->mig_totals[TOP_MIG_FAILED],
		(unsigned long long)m->mig_totals[TOP_MIG_ABANDONED],
		(unsigned long long)m->mig_totals[TOP_MIG_IN_PROGRESS], other);
	if (shown < m->n_mig && shown)
		shown--;	/* a line says how many are not shown */
	cols[M_DEVICE].keep_end = true;
	for (size_t i = 0; i < shown; i++) {
		mig_text(top_model_migration(m, i), text);
		for (int k = 0; k < M_COLS; k++)
			col_measure(&cols[k], text[k]);
	}
	gone = layout(cols, M_COLS, c->cols);
	table_head(&l, cols, M_COLS, gone);
	put_line(c, STYLE_HEADER, &l);
	for (size_t i = 0; i < shown; i++) {
		const struct top_migration *g = top_model_migration(m, i);

		mig_text(g, text);
		l.len = 0;
		l.width = 0;
		l.buf[0] = '\0';
		table_line(&l, cols, M_COLS, text);
		put_line(c, mig_style(g->cls), &l);
	}
	/* older than the kept ones too (TOP_MIG_RECENT_MAX) */
	if (shown < m->migrations)
		put_fmt(c, STYLE_PLAIN, "+%llu more migrations (older)",
			(unsigned long long)(m->migrations - shown));
}

static const char *const help_lines[] = {
	"Keys",
	"q          quit",
	"p          pause / resume",
	"s          sort rows: device, total, recent",
	"f          filter by outcome (all, compatible, ...)",
	"c          clear the counts",
	"Up/Down    scroll the device rows by one",
	"PgUp/PgDn  scroll the device rows by a page",
	"Home/End   first / last device rows",
	"?          this help (any key closes it)",
	"",
	"A cut name ends in ~ (or the ellipsis);",
	"\"+N\" after a header: N columns left out.",
};

/* The key overlay, boxed, over the view. */
static void draw_help(const struct canvas *c)
{
	int n = (int)(sizeof(help_lines) / sizeof(help_lines[0]));
	int w = 4, h = n + 2, y0, x0;
	WINDOW *win;

	for (int i = 0; i < n; i++)
		if ((int)strlen(help_lines[i]) + 4 > w)
			w = (int)strlen(help_lines[i]) + 4;
	if (w > c->cols)
		w = c->cols;
	if (h > c->rows)
		h = c->rows;
	y0 = (c->rows - h) / 2;
	x0 = (c->cols - w) / 2;
	win = newwin(h, w, y0, x0);
	if (!win)
		return;
	werase(win);
	wborder(win, '|', '|', '-', '-', '+', '+', '+', '+');	/* ASCII: any terminal */
	for (int i = 0; i < n && i + 1 < h - 1; i++)
		mvwaddnstr(win, i + 1, 2, help_lines[i], w - 4);
	wnoutrefresh(win);
	delwin(win);
}

static void draw(struct top_state *st)
{
	const struct top_model *m = &st->model;
	struct canvas c = { .st = st, .rows = INT_MAX, .cols = PLAIN_COLS };
	size_t idx[TOP_ROWS_MAX], n;
	int mig;

	if (st->curses_on) {
		erase();
		getmaxyx(stdscr, c.rows, c.cols);
		if (c.cols > PLAIN_COLS)
			c.cols = PLAIN_COLS;
	}
	draw_header(&c);
	draw_totals(&c);
	put_fmt(&c, STYLE_PLAIN, "sort: %s   filter: %s%s%s%s", top_sort_name(st->sort),
		st->filter == FILTER_ALL ? "all" : top_outcome_label(st->filter),
		st->options_shown[0] ? "   options: " : "", st->options_shown,
		m->rows_dropped ? "   (devices beyond the table's size not shown)" : "");
	put_fmt(&c, STYLE_PLAIN, "%s", "");
	n = top_model_order(m, st->sort, idx, TOP_ROWS_MAX);
	mig = migrations_lines(m, c.rows - 1 - c.y);
	c.reserve = mig ? mig + 1 : 0;	/* with its blank line */
	draw_rows(&c, idx, n);
	if (mig) {
		put_fmt(&c, STYLE_PLAIN, "%s", "");
		draw_migrations(&c, mig);
	}
	put_fmt(&c, STYLE_PLAIN, "%s", "");
	draw_recent(&c);
	if (st->curses_on) {
		struct line l = { .len = 0 };

		line_text(&l, "q quit  ? help  p pause  s sort  f filter  c clear  "
			  "arrows/PgUp/PgDn/Home/End", c.cols);
		mvaddstr(c.rows - 1, 0, l.buf);
		wnoutrefresh(stdscr);
		if (st->help)
			draw_help(&c);
		doupdate();
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
		if (st->help && ch != 'q' && ch != 'Q' && ch != KEY_RESIZE) {
			st->help = false;	/* any key closes the overlay */
			st->dirty = true;
			continue;
		}
		switch (ch) {
		case 'q':
		case 'Q':
			return true;
		case '?':
		case 'h':
			st->help = true;
			break;
		case KEY_UP:
		case 'k':
			if (st->scroll)
				st->scroll--;
			break;
		case KEY_DOWN:
		case 'j':
			st->scroll++;	/* draw clamps it to the last page */
			break;
		case KEY_PPAGE:
			st->scroll = st->scroll > st->page ? st->scroll - st->page : 0;
			break;
		case KEY_NPAGE:
		case ' ':
			st->scroll += st->page;
			break;
		case KEY_HOME:
		case 'g':
			st->scroll = 0;
			break;
		case KEY_END:
		case 'G':
			st->scroll = TOP_ROWS_MAX;
			break;
		case 'p':
			st->paused = !st->paused;
			break;
		case 's':
			st->sort = (st->sort + 1) % TOP_SORTS;
			break;
		case 'f':
			st->filter = (st->filter + 1) % (FILTER_ALL + 1);
			st->scroll = 0;
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
	{ "replay", 'r', "FILE", 0, "Drive the view from an audit log (- = stdin) instead of the kernel: "
	  "-p, -c, -x, --any-sysfs select its records; the options that need the "
	  "kernel are refused", 0 },
	{ "interval", 'i', "SECONDS", 0, "Redraw interval (default 1; plain output: print interval)", 0 },
	{},
};

/* The tracer's own option groups (trace_options.c), all but -j: the
 * screen is the output.  With --replay the filters select records of the
 * log; the rest needs the kernel and is refused. */
static const struct argp_child top_children[] = {
	{ &trace_filter_argp, 0, "Which calls (as for trace; with --replay: which records):", 1 },
	{ &trace_attach_argp, 0, "Tracing (as for trace; not with --replay):", 2 },
	/* its own headings: "Audit log:" and the metrics option */
	{ &trace_record_argp, 0, NULL, 3 },
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
	case ARGP_KEY_END:
		if (cli->st->replay && cli->tc.live_only)
			argp_error(state, "--%s needs the kernel; --replay reads a log "
				   "(filters -p, -c, -x, --any-sysfs apply to it)",
				   cli->tc.live_only);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* The tracer's filters, for the model (a replayed log is selected by
 * them as live calls are) and for the status line. */
static void apply_filters(struct top_state *st, const struct tracer_config *cfg)
{
	struct top_filter *f = &st->model.filter;
	size_t at = 0;

	f->pid = cfg->targ_pid;
	f->comm = cfg->targ_comm;
	f->failed_only = cfg->failed_only;
	f->any_sysfs = cfg->any_sysfs;
	st->options_shown[0] = '\0';
	if (f->pid)
		at += snprintf(st->options_shown + at, sizeof(st->options_shown) - at,
			       "-p %d ", f->pid);
	if (f->comm && at < sizeof(st->options_shown)) {
		char comm[4 * MDEVVER_TASK_COMM_LEN + 4];

		c_escape(comm, sizeof(comm), f->comm, strlen(f->comm));
		at += snprintf(st->options_shown + at, sizeof(st->options_shown) - at,
			       "-c %s ", comm);
	}
	if (f->failed_only && at < sizeof(st->options_shown))
		at += snprintf(st->options_shown + at, sizeof(st->options_shown) - at, "-x ");
	if (f->any_sysfs && at < sizeof(st->options_shown))
		at += snprintf(st->options_shown + at, sizeof(st->options_shown) - at,
			       "--any-sysfs ");
	if (at && at <= sizeof(st->options_shown))
		st->options_shown[at - 1] = '\0';	/* the last space */
}

int cmd_top(int argc, char **argv)
{
	static const struct argp argp = {
		.options = top_options,
		.parser = top_parse,
		.children = top_children,
		.doc = "Live view of mdev version checks: totals, one row per parent "
		       "device and type, and the most recent checks.  Takes the "
		       "tracer's options except -j.\v"
		       "Keys: q quit, p pause, s sort (device, total, recent), f filter "
		       "by outcome, c clear, arrows PgUp/PgDn Home/End scroll the "
		       "device rows, ? help.  When stdout is not a terminal the view is "
		       "printed as text every interval (with --replay: once).\n\n"
		       "EXAMPLES:\n    mdevver-trace top\n"
		       "    mdevver-trace top -x -a my_version -o /var/log/mdevver-trace/trace.jsonl\n"
		       "    mdevver-trace top --replay /var/log/mdevver-trace/trace.jsonl -x",
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
	apply_filters(st, &cli.tc.trace.cfg);
	st->curses = isatty(STDOUT_FILENO);
	/* ncursesw draws UTF-8 only with the locale's character type */
	setlocale(LC_CTYPE, "");
	if (!strcmp(nl_langinfo(CODESET), "UTF-8"))
		cut_mark = "\xe2\x80\xa6";	/* U+2026 */
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
