// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * trace_options.c - every tracing option and its checks, once.  Every bad
 * value ends in argp_error: one line naming it and exit 2.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "audit_log.h"
#include "trace_options.h"

#define DEFAULT_RINGBUF (8u * 1024 * 1024)
/* one event is ~9.3 KiB: the ring must hold at least one */
#define MIN_RINGBUF (16u * 1024)
#define MAX_RINGBUF (1024ull * 1024 * 1024)
/* --max-size: 4K .. 1024G */
#define MAX_LOG_SIZE (1ull << 40)
/* -d: at most a year */
#define MAX_DURATION_S (366 * 24 * 3600)

enum {
	OPT_NO_VENDOR = 0x100,
	OPT_RINGBUF,
	OPT_MAX_SIZE,
	OPT_MAX_FILES,
	OPT_FLUSH,
	OPT_SYSLOG,
	OPT_JOURNAL,
	OPT_METRICS,
	OPT_ANY_SYSFS,
};

static const struct argp_option filter_options[] = {
	{ "pid", 'p', "PID", 0, "Trace this process only", 0 },
	{ "comm", 'c', "COMM", 0, "Trace processes with this name only", 0 },
	{ "failed", 'x', NULL, 0, "Only failed checks and reads", 0 },
	{ "any-sysfs", OPT_ANY_SYSFS, NULL, 0,
	  "Also watched names outside mdev type and device directories "
	  "(e.g. /sys/module/*/version), marked scope other", 0 },
	{},
};

static const struct argp_option attach_options[] = {
	{ "verbose", 'v', NULL, 0, "Details per event; libbpf messages (twice: debug)", 0 },
	{ "mode", 'm', "MODE", 0, "auto (default), fentry, kprobe or syscall", 0 },
	{ "attr", 'a', "NAME", 0, "Also watch attributes named NAME (repeatable)", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS (at most a year)", 0 },
	{ "no-vendor", OPT_NO_VENDOR, NULL, 0, "Do not attach the i915 gvt vendor probes", 0 },
	{ "ringbuf", OPT_RINGBUF, "SIZE", 0,
	  "Ring buffer size for checks, power of two from 16K to 1024M (1G), suffix K, M "
	  "or G (default 8M; reads get a quarter)", 0 },
	{},
};

static const struct argp_option output_options[] = {
	{ "json", 'j', NULL, 0, "JSON Lines output", 0 },
	{},
};

/* Where records go besides the screen: shared by trace, enforce and top
 * (a child of the output group, so top takes it without -j). */
static const struct argp_option record_options[] = {
	{ NULL, 0, NULL, 0, "Audit log:", 1 },
	{ "output", 'o', "FILE", 0, "Also write JSON Lines records to FILE (mode 0600, appended)", 1 },
	{ "max-size", OPT_MAX_SIZE, "SIZE", 0, "Rotate FILE at SIZE, 4K to 1024G (suffix K, M or G)", 1 },
	{ "max-files", OPT_MAX_FILES, "N", 0, "Keep N rotated files FILE.1 (newest) .. FILE.N, 1 to 1000 (default 5)", 1 },
	{ "flush", OPT_FLUSH, "MODE", 0, "none, line (default) or fsync", 1 },
	{ "syslog", OPT_SYSLOG, NULL, 0, "Also send each record to syslog", 1 },
	{ "journal", OPT_JOURNAL, NULL, 0,
	  "Also send each record to the systemd journal (MDEVVER_* fields)", 1 },
	{ "metrics-addr", OPT_METRICS, "HOST:PORT", 0,
	  "Serve Prometheus metrics at http://HOST:PORT/metrics", 2 },
	{},
};

/*
 * SIZE with an optional K, M or G suffix, at most max bytes.  The range is
 * checked before the suffix multiplies (a huge value must not wrap), and a
 * sign is refused (strtoull would negate "-1" into a huge value).
 */
static int parse_size(const char *arg, size_t *out, unsigned long long max)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!(*arg >= '0' && *arg <= '9'))
		return -1;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg)
		return -1;
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	if (*end || v > (max >> shift))
		return -1;
	*out = (size_t)(v << shift);
	return 0;
}

/* SECONDS: a finite number in (min_excl, max]; "nan" and "inf" are refused. */
static int parse_seconds(const char *arg, double min_excl, double max, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(arg, &end);
	if (errno || end == arg || *end || !(d > min_excl && d <= max))
		return -1;
	*out = d;
	return 0;
}

static void parse_attr(struct argp_state *state, struct trace_cli *cli, const char *arg)
{
	if (!*arg || strlen(arg) >= MDEVVER_NAME_MAX || strchr(arg, '/'))
		argp_error(state, "invalid attribute name '%s': 1 to %d characters, no '/'",
			   arg, MDEVVER_NAME_MAX - 1);
	for (size_t i = 0; i < cli->n_attrs; i++)
		if (!strcmp(cli->attrs[i], arg))
			return;
	if (cli->n_attrs == MDEVVER_ATTR_NAMES_MAX)
		argp_error(state, "too many attribute names (-a '%s'): at most %d -a names "
			   "besides version and migration_version",
			   arg, MDEVVER_ATTR_NAMES_MAX - 2);
	cli->attrs[cli->n_attrs++] = arg;
}

/*
 * The long name of key if it is an option of the attach or record groups:
 * options that only mean something while tracing the kernel (top --replay
 * reads a log and refuses them, naming the first one given).
 */
static const char *live_only_name(int key)
{
	static const struct argp_option *const tables[] = { attach_options, record_options };

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct argp_option *o = tables[t]; o->name || o->doc; o++)
			if (o->key == key && o->name)
				return o->name;
	return NULL;
}

/* The one parser of all groups. */
static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct trace_cli *cli = state->input;
	struct trace_options *t = &cli->trace;
	struct tracer_config *cfg = &t->cfg;
	char *end;
	long v;

	if (!cli->live_only && key > 0 && key != ARGP_KEY_ARG && live_only_name(key))
		cli->live_only = live_only_name(key);
	switch (key) {
	case 'p':
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || v <= 0 || v > INT_MAX)
			argp_error(state, "invalid PID '%s': expected a positive number", arg);
		cfg->targ_pid = v;
		break;
	case 'c':
		if (!*arg || strlen(arg) >= MDEVVER_TASK_COMM_LEN)
			argp_error(state, "invalid COMM '%s': 1 to %d characters",
				   arg, MDEVVER_TASK_COMM_LEN - 1);
		cfg->targ_comm = arg;
		break;
	case 'x':
		cfg->failed_only = true;
		break;
	case OPT_ANY_SYSFS:
		cfg->any_sysfs = true;
		break;
	case 'j':
		t->json = true;
		break;
	case 'v':
		t->verbose = true;
		cli->verbosity++;
		break;
	case 'm':
		cfg->mode = mode_parse(arg);
		if (cfg->mode < 0)
			argp_error(state, "invalid mode '%s': expected auto, fentry, kprobe or syscall", arg);
		break;
	case 'a':
		parse_attr(state, cli, arg);
		break;
	case 'd':
		if (parse_seconds(arg, 0, MAX_DURATION_S, &t->duration_s))
			argp_error(state, "invalid duration '%s' (-d): seconds, more than 0 and at most %d",
				   arg, MAX_DURATION_S);
		break;
	case OPT_NO_VENDOR:
		cfg->no_vendor = true;
		break;
	case OPT_RINGBUF:
		if (parse_size(arg, &cfg->ringbuf_bytes, MAX_RINGBUF) ||
		    cfg->ringbuf_bytes < MIN_RINGBUF ||
		    (cfg->ringbuf_bytes & (cfg->ringbuf_bytes - 1)))
			argp_error(state, "invalid ring buffer size '%s' (--ringbuf): a power of two from 16K to 1024M", arg);
		break;
	case 'o':
		if (!*arg)
			argp_error(state, "invalid audit log path: empty");
		t->audit.path = arg;
		break;
	case OPT_MAX_SIZE: {
		size_t sz = 0;

		if (parse_size(arg, &sz, MAX_LOG_SIZE) || sz < 4096)
			argp_error(state, "invalid size '%s' (--max-size): 4K to 1024G, suffix K, M or G", arg);
		t->audit.max_size = sz;
		break;
	}
	case OPT_MAX_FILES:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || v < 1 || v > 1000)
			argp_error(state, "invalid number of files '%s': 1 to 1000", arg);
		t->audit.max_files = v;
		break;
	case OPT_FLUSH:
		v = audit_flush_parse(arg);
		if (v < 0)
			argp_error(state, "invalid flush mode '%s': expected none, line or fsync", arg);
		t->audit.flush = v;
		break;
	case OPT_SYSLOG:
		t->audit.syslog = true;
		break;
	case OPT_JOURNAL:
		t->journal = true;
		break;
	case OPT_METRICS:
		t->metrics_addr = arg;
		break;
	case ARGP_KEY_END:
		if (t->audit.max_size && !t->audit.path)
			argp_error(state, "--max-size needs -o FILE");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp trace_filter_argp = { .options = filter_options, .parser = parse };
const struct argp trace_attach_argp = { .options = attach_options, .parser = parse };
const struct argp trace_record_argp = { .options = record_options, .parser = parse };

static const struct argp_child output_children[] = {
	{ &trace_record_argp, 0, NULL, 0 },
	{},
};

/* -j, then its child: the child parses into the same trace_cli */
static error_t parse_output(int key, char *arg, struct argp_state *state)
{
	if (key == ARGP_KEY_INIT) {
		state->child_inputs[0] = state->input;
		return 0;
	}
	return parse(key, arg, state);
}

const struct argp trace_output_argp = {
	.options = output_options, .parser = parse_output, .children = output_children,
};

void trace_cli_init(struct trace_cli *cli)
{
	memset(cli, 0, sizeof(*cli));
	cli->attrs[cli->n_attrs++] = "version";
	cli->attrs[cli->n_attrs++] = "migration_version";
	cli->trace.cfg.ringbuf_bytes = DEFAULT_RINGBUF;
	cli->trace.audit.max_files = 5;
	cli->trace.audit.flush = AUDIT_FLUSH_LINE;
}

void trace_cli_bind(struct argp_state *state, const struct argp_child *children,
		    struct trace_cli *cli)
{
	for (size_t i = 0; children && children[i].argp; i++)
		state->child_inputs[i] = cli;
}

void trace_cli_done(struct trace_cli *cli)
{
	cli->trace.cfg.attr_names = cli->attrs;
	cli->trace.cfg.n_attr_names = cli->n_attrs;
	setup_libbpf_logging(cli->verbosity);
}

int trace_cli_run(const struct argp *argp, int argc, char **argv)
{
	struct trace_cli cli;

	trace_cli_init(&cli);
	if (argp_parse(argp, argc, argv, 0, NULL, &cli))
		return 2;
	trace_cli_done(&cli);
	return cmd_trace(&cli.trace);
}
