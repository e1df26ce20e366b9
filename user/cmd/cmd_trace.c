// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cmd_trace.c - `mdevver-trace [trace] [OPTIONS]`: the default command. */
#define _GNU_SOURCE
#include <argp.h>

#include "commands.h"
#include "trace_options.h"

static const char trace_doc[] =
"Trace reads and compatibility checks of mdev version attributes.\n"
"\n"
"USAGE: mdevver-trace [OPTIONS]\n"
"       mdevver-trace probes [--json]\n"
"       mdevver-trace decode STRING...\n"
"       mdevver-trace report [--html FILE] LOG...\n"
"       mdevver-trace top [--replay FILE]\n"
"       mdevver-trace enforce --policy FILE [--dry-run] [--pin] [--strict] [OPTIONS]\n"
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

static const struct argp_option trace_only_options[] = {
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 },
	{},
};

static const struct argp_child trace_children[] = {
	{ &trace_filter_argp, 0, NULL, 0 },
	{ &trace_attach_argp, 0, NULL, 0 },
	{ &trace_output_argp, 0, NULL, 0 },
	{},
};

static error_t trace_parse(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case ARGP_KEY_INIT:
		trace_cli_bind(state, trace_children, state->input);
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

int run_trace(int argc, char **argv)
{
	static const struct argp argp = {
		.options = trace_only_options,
		.parser = trace_parse,
		.doc = trace_doc,
		.children = trace_children,
	};
	return trace_cli_run(&argp, argc, argv);
}
