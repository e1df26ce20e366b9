// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * main.c - command line of mdevver-trace: argp parsing and the command
 * table (trace, probes, decode), in the manner of bcc's libbpf-tools and
 * bpftool.  Every bad input ends in one line "mdevver-trace: ..." and a
 * non-zero exit.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "decode.h"
#include "escape.h"
#include "probes.h"
#include "report.h"
#include "top.h"
#include "trace.h"

#define DEFAULT_RINGBUF (8u * 1024 * 1024)
/* one event is ~9.3 KiB: the ring must hold at least one */
#define MIN_RINGBUF (16u * 1024)

const char *argp_program_version = "mdevver-trace 0.1.0";
const char *argp_program_bug_address = "see README.md";

static const char trace_doc[] =
"Trace reads and compatibility checks of mdev version attributes.\n"
"\n"
"USAGE: mdevver-trace [OPTIONS]\n"
"       mdevver-trace probes [--json]\n"
"       mdevver-trace decode STRING...\n"
"       mdevver-trace report [--html FILE] LOG...\n"
"       mdevver-trace top [--replay FILE]\n"
"       mdevver-trace enforce --policy FILE [--dry-run] [--pin] [OPTIONS]\n"
"       mdevver-trace unpin\n"
"\n"
"Reading an mdev type's 'version' (or 'migration_version') attribute gives\n"
"the device's version string; writing a remote device's string to it is the\n"
"live-migration compatibility check.  Each read and check becomes one event.\n"
"\n"
"EXAMPLES:\n"
"    mdevver-trace                 # trace all reads and checks\n"
"    mdevver-trace --json          # JSON Lines (docs/event-schema.md)\n"
"    mdevver-trace -x              # only failed checks and reads\n"
"    mdevver-trace -p 1234         # only process 1234\n"
"    mdevver-trace -c libvirtd     # only processes named libvirtd\n"
"    mdevver-trace -a my_version   # also watch attributes named my_version\n"
"    mdevver-trace -m syscall      # force the syscall-tracepoint mode\n"
"    mdevver-trace probes          # what this kernel supports\n"
"    mdevver-trace decode 00028086-193b-i915-GVTg_V5_4\n"
"\n"
"OPTIONS:";

enum {
	OPT_NO_VENDOR = 0x100,
	OPT_RINGBUF,
	OPT_MAX_SIZE,
	OPT_MAX_FILES,
	OPT_FLUSH,
	OPT_SYSLOG,
	OPT_METRICS,
	OPT_POLICY,
	OPT_DRY_RUN,
	OPT_PIN,
};

static const struct argp_option trace_options[] = {
	{ "pid", 'p', "PID", 0, "Trace this process only", 0 },
	{ "comm", 'c', "COMM", 0, "Trace processes with this name only", 0 },
	{ "failed", 'x', NULL, 0, "Only failed checks and reads", 0 },
	{ "json", 'j', NULL, 0, "JSON Lines output", 0 },
	{ "verbose", 'v', NULL, 0, "Details per event; libbpf messages (twice: debug)", 0 },
	{ "mode", 'm', "MODE", 0, "auto (default), fentry, kprobe or syscall", 0 },
	{ "attr", 'a', "NAME", 0, "Also watch attributes named NAME (repeatable)", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS", 0 },
	{ "no-vendor", OPT_NO_VENDOR, NULL, 0, "Do not attach the i915 gvt vendor probes", 0 },
	{ "ringbuf", OPT_RINGBUF, "SIZE", 0,
	  "Ring buffer size, power of two >= 16K, suffix K or M (default 8M)", 0 },
	{ NULL, 0, NULL, 0, "Audit log:", 1 },
	{ "output", 'o', "FILE", 0, "Also write JSON Lines records to FILE (mode 0600, appended)", 1 },
	{ "max-size", OPT_MAX_SIZE, "SIZE", 0, "Rotate FILE at SIZE (suffix K, M or G)", 1 },
	{ "max-files", OPT_MAX_FILES, "N", 0, "Keep N rotated files FILE.1 (newest) .. FILE.N (default 5)", 1 },
	{ "flush", OPT_FLUSH, "MODE", 0, "none, line (default) or fsync", 1 },
	{ "syslog", OPT_SYSLOG, NULL, 0, "Also send each record to syslog", 1 },
	{ "metrics-addr", OPT_METRICS, "HOST:PORT", 0,
	  "Serve Prometheus metrics at http://HOST:PORT/metrics", 2 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 },
	{},
};

struct cli {
	struct trace_options trace;
	const char *attrs[MDEVVER_ATTR_NAMES_MAX];
	size_t n_attrs;
	int verbosity;
};

static int parse_size(const char *arg, size_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg)
		return -1;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	if (*end || v > (1ull << 40))
		return -1;
	*out = v;
	return 0;
}

static error_t trace_parse(int key, char *arg, struct argp_state *state)
{
	struct cli *cli = state->input;
	struct tracer_config *cfg = &cli->trace.cfg;
	char *end;
	long v;

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
	case 'j':
		cli->trace.json = true;
		break;
	case 'v':
		cli->trace.verbose = true;
		cli->verbosity++;
		break;
	case 'm':
		cfg->mode = mode_parse(arg);
		if (cfg->mode < 0)
			argp_error(state, "invalid mode '%s': expected auto, fentry, kprobe or syscall", arg);
		break;
	case 'a':
		if (!*arg || strlen(arg) >= MDEVVER_NAME_MAX || strchr(arg, '/'))
			argp_error(state, "invalid attribute name '%s': 1 to %d characters, no '/'",
				   arg, MDEVVER_NAME_MAX - 1);
		if (cli->n_attrs == MDEVVER_ATTR_NAMES_MAX)
			argp_error(state, "too many attribute names: at most %d",
				   MDEVVER_ATTR_NAMES_MAX);
		for (size_t i = 0; i < cli->n_attrs; i++)
			if (!strcmp(cli->attrs[i], arg))
				return 0;
		cli->attrs[cli->n_attrs++] = arg;
		break;
	case 'd':
		errno = 0;
		cli->trace.duration_s = strtod(arg, &end);
		if (errno || *end || cli->trace.duration_s <= 0)
			argp_error(state, "invalid duration '%s': expected seconds > 0", arg);
		break;
	case OPT_NO_VENDOR:
		cfg->no_vendor = true;
		break;
	case OPT_RINGBUF:
		if (parse_size(arg, &cfg->ringbuf_bytes) ||
		    cfg->ringbuf_bytes < MIN_RINGBUF ||
		    (cfg->ringbuf_bytes & (cfg->ringbuf_bytes - 1)))
			argp_error(state, "invalid ring buffer size '%s': a power of two from 16K to 1024M", arg);
		break;
	case 'o':
		if (!*arg)
			argp_error(state, "invalid audit log path: empty");
		cli->trace.audit.path = arg;
		break;
	case OPT_MAX_SIZE: {
		size_t sz = 0;

		if (parse_size(arg, &sz) || sz < 4096)
			argp_error(state, "invalid size '%s': at least 4K, suffix K, M or G", arg);
		cli->trace.audit.max_size = sz;
		break;
	}
	case OPT_MAX_FILES:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || v < 1 || v > 1000)
			argp_error(state, "invalid number of files '%s': 1 to 1000", arg);
		cli->trace.audit.max_files = v;
		break;
	case OPT_FLUSH:
		v = audit_flush_parse(arg);
		if (v < 0)
			argp_error(state, "invalid flush mode '%s': expected none, line or fsync", arg);
		cli->trace.audit.flush = v;
		break;
	case OPT_SYSLOG:
		cli->trace.audit.syslog = true;
		break;
	case OPT_METRICS:
		cli->trace.metrics_addr = arg;
		break;
	case ARGP_KEY_END:
		if (cli->trace.audit.max_size && !cli->trace.audit.path)
			argp_error(state, "--max-size needs -o FILE");
		break;
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s' (commands: probes, decode)", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* trace and enforce: the defaults, the options, then the tracer. */
static int parse_and_trace(const struct argp *argp, int argc, char **argv)
{
	struct cli cli;

	memset(&cli, 0, sizeof(cli));
	cli.attrs[cli.n_attrs++] = "version";
	cli.attrs[cli.n_attrs++] = "migration_version";
	cli.trace.cfg.ringbuf_bytes = DEFAULT_RINGBUF;
	cli.trace.audit.max_files = 5;
	cli.trace.audit.flush = AUDIT_FLUSH_LINE;
	if (argp_parse(argp, argc, argv, 0, NULL, &cli))
		return 2;
	cli.trace.cfg.attr_names = cli.attrs;
	cli.trace.cfg.n_attr_names = cli.n_attrs;
	setup_libbpf_logging(cli.verbosity);
	return cmd_trace(&cli.trace);
}

static int run_trace(int argc, char **argv)
{
	static const struct argp argp = {
		.options = trace_options,
		.parser = trace_parse,
		.doc = trace_doc,
	};
	return parse_and_trace(&argp, argc, argv);
}

/* --- enforce -------------------------------------------------------------- */

static const char enforce_doc[] =
"Enforce a deny list on mdev compatibility checks (and reads) in the kernel\n"
"through BPF LSM, and report every check like the tracer.\n"
"\n"
"USAGE: mdevver-trace enforce --policy FILE [--dry-run] [--pin] [OPTIONS]\n"
"\n"
"The policy format is in docs/policy.md (man mdevver-trace).  A denied check\n"
"fails with EPERM before it reaches the driver; the event's outcome is\n"
"'denied' and names the rule.  SIGHUP re-reads FILE and swaps it in without\n"
"a gap; a bad file keeps the previous rules.\n"
"\n"
"EXAMPLES:\n"
"    mdevver-trace enforce --policy /etc/mdevver-trace/site.policy\n"
"    mdevver-trace enforce --policy site.policy --dry-run -j  # refuse nothing\n"
"    mdevver-trace enforce --policy site.policy --pin -o /var/log/mdevver.jsonl\n"
"    mdevver-trace unpin                                    # end it again\n"
"\n"
"OPTIONS:";

static const struct argp_option enforce_only_options[] = {
	{ "policy", OPT_POLICY, "FILE", 0, "The policy (owned by root, not group/other-writable)", 0 },
	{ "dry-run", OPT_DRY_RUN, NULL, 0, "Refuse nothing; report matches as would-deny (works without BPF LSM)", 0 },
	{ "pin", OPT_PIN, NULL, 0, "Pin links and maps under " MDEVVER_PIN_DIR ": enforcement outlives this process; adopt what is pinned", 0 },
	{},
};

/* The trace options without -p, -c and -x: enforce judges every process
 * and reports every check, so those filters do not exist there. */
static struct argp_option enforce_output_options[sizeof(trace_options) /
						 sizeof(trace_options[0])];

static const struct argp trace_child_argp = {
	.options = enforce_output_options,
	.parser = trace_parse,
};

static void build_enforce_output_options(void)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(trace_options) / sizeof(trace_options[0]); i++) {
		int key = trace_options[i].key;

		if (key == 'p' || key == 'c' || key == 'x')
			continue;
		enforce_output_options[n++] = trace_options[i];
	}
}

static const struct argp_child enforce_children[] = {
	{ &trace_child_argp, 0, "Output options (as for trace):", 1 },
	{},
};

static error_t enforce_parse(int key, char *arg, struct argp_state *state)
{
	struct cli *cli = state->input;
	struct enforce_options *e = &cli->trace.enforce;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = cli;
		break;
	case OPT_POLICY:
		if (!*arg)
			argp_error(state, "invalid policy path: empty");
		e->policy_path = arg;
		break;
	case OPT_DRY_RUN:
		e->dry_run = true;
		break;
	case OPT_PIN:
		e->pin = true;
		break;
	case ARGP_KEY_END:
		if (!e->policy_path)
			argp_error(state, "--policy FILE is required");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int run_enforce(int argc, char **argv)
{
	static const struct argp argp = {
		.options = enforce_only_options,
		.parser = enforce_parse,
		.doc = enforce_doc,
		.children = enforce_children,
	};
	build_enforce_output_options();
	return parse_and_trace(&argp, argc, argv);
}

/* --- unpin ---------------------------------------------------------------- */

static error_t no_args_parse(int key, char *arg, struct argp_state *state)
{
	if (key == ARGP_KEY_ARG)
		argp_error(state, "unexpected argument '%s'", arg);
	else
		return ARGP_ERR_UNKNOWN;
	return 0;
}

static int run_unpin(int argc, char **argv)
{
	static const struct argp_option none[] = { {} };
	static const struct argp argp = {
		.options = none,
		.parser = no_args_parse,
		.doc = "Remove the enforcement pinned under " MDEVVER_PIN_DIR " (by "
		       "'enforce --pin') and wait until the kernel has released it.",
	};

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	return cmd_unpin(1, argv);
}

/* --- probes --------------------------------------------------------------- */

static error_t json_flag_parse(int key, char *arg, struct argp_state *state)
{
	bool *json = state->input;

	switch (key) {
	case 'j':
		*json = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp_option json_only_options[] = {
	{ "json", 'j', NULL, 0, "JSON output", 0 },
	{},
};

static int run_probes(int argc, char **argv)
{
	static const struct argp argp = {
		.options = json_only_options,
		.parser = json_flag_parse,
		.doc = "Show, for this kernel, every attach point the tool uses: whether "
		       "it exists, whether its program loads and attaches, BTF, BPF LSM, "
		       "and the mode 'auto' picks.\v"
		       "EXAMPLE:\n    mdevver-trace probes --json",
	};
	bool json = false;

	if (argp_parse(&argp, argc, argv, 0, NULL, &json))
		return 2;
	setup_libbpf_logging(0);
	return cmd_probes(json);
}

/* --- decode --------------------------------------------------------------- */

struct decode_args {
	bool json;
	char **strings;
	int n;
};

static error_t decode_parse(int key, char *arg, struct argp_state *state)
{
	struct decode_args *a = state->input;

	(void)arg;
	switch (key) {
	case 'j':
		a->json = true;
		return 0;
	case ARGP_KEY_ARGS:
		a->strings = state->argv + state->next;
		a->n = state->argc - state->next;
		return 0;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "missing STRING: give one or more version strings");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static int run_decode(int argc, char **argv)
{
	static const struct argp argp = {
		.options = json_only_options,
		.parser = decode_parse,
		.args_doc = "STRING...",
		.doc = "Decode mdev version strings: the seed's %08x-%04x-%s and the "
		       "later %04x-%04x-%s-%08x; anything else is reported as opaque.\v"
		       "EXAMPLE:\n    mdevver-trace decode \"$(cat /sys/.../version)\"",
	};
	struct decode_args a = { 0 };

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;
	for (int i = 0; i < a.n; i++) {
		struct version_info vi;
		size_t len = strlen(a.strings[i]);

		version_decode(a.strings[i], len, &vi);
		if (a.json) {
			printf("{\"input\":");
			json_write_string(stdout, a.strings[i], len);
			printf(",\"decoded\":");
			version_print_json(stdout, &vi);
			printf("}\n");
		} else {
			char esc[1024];

			c_escape(esc, sizeof(esc), a.strings[i], len);
			printf("\"%s\": ", esc);
			version_print_text(stdout, &vi);
			printf("\n");
		}
	}
	return 0;
}

/* --- command table ------------------------------------------------------- */

static const struct command {
	const char *name;
	const char *prog_name;	/* what argp names in its messages */
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "trace", "mdevver-trace trace", run_trace },
	{ "probes", "mdevver-trace probes", run_probes },
	{ "decode", "mdevver-trace decode", run_decode },
	{ "report", "mdevver-trace report", cmd_report },
	{ "top", "mdevver-trace top", cmd_top },
	{ "enforce", "mdevver-trace enforce", run_enforce },
	{ "unpin", "mdevver-trace unpin", run_unpin },
};

int main(int argc, char **argv)
{
	argv[0] = (char *)"mdevver-trace";
	argp_err_exit_status = 2;	/* every usage error: exit 2 */
	if (argc > 1 && argv[1][0] != '-') {
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strcmp(argv[1], commands[i].name)) {
				argv[1] = (char *)commands[i].prog_name;
				return commands[i].run(argc - 1, argv + 1);
			}
		fprintf(stderr, "mdevver-trace: unknown command '%s': expected trace, enforce, unpin, probes, decode, report or top (see --help)\n",
			argv[1]);
		return 2;
	}
	return run_trace(argc, argv);
}
