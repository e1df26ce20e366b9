// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cmd_trace.c - `mdevver-trace [trace] [OPTIONS]`: the default command. */
#define _GNU_SOURCE
#include <argp.h>

#include "commands.h"
#include "trace_options.h"

static const char trace_doc[] =
"Trace reads and compatibility checks of mdev version attributes (the\n"
"command trace, also what runs without a command).\n"
"\n"
"Reading an mdev type's 'version' (or 'migration_version') attribute gives\n"
"the device's version string; writing a remote device's string to it is the\n"
"live-migration compatibility check.  Each read and check becomes one event.\n"
"\n"
"COMMANDS (options go after the command; mdevver-trace help COMMAND):\n"
"  trace      this: trace reads and checks (the default)\n"
"  probes     what this kernel supports, the mode auto picks and why\n"
"  decode     decode version strings\n"
"  top        live view\n"
"  report     merge audit logs into a compatibility report\n"
"  enforce    refuse checks a policy denies (BPF LSM)\n"
"  unpin      end pinned enforcement\n"
"  help       a command's help\n"
"\n"
"EXAMPLES:\n"
"    mdevver-trace                 # trace all reads and checks\n"
"    mdevver-trace --json          # JSON Lines (docs/event-schema.md)\n"
"    mdevver-trace -x              # only failed checks and reads\n"
"    mdevver-trace -p 1234         # only process 1234\n"
"    mdevver-trace -c libvirtd     # only processes named libvirtd\n"
"    mdevver-trace -a my_version   # also watch attributes named my_version\n"
"    mdevver-trace -m syscall      # force the syscall-tracepoint mode\n"
"    mdevver-trace -o /var/log/mdevver-trace/audit.jsonl   # audit log\n"
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
		/* `-j probes`: the command came after an option */
		if (command_exists(arg))
			argp_error(state, "'%s' is a command: it comes first, its options "
				   "after it (mdevver-trace %s [OPTION...])", arg, arg);
		argp_error(state, "unexpected argument '%s': trace takes no arguments "
			   "(commands: mdevver-trace help)", arg);
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
