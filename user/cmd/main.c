// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * main.c - the command table of mdevver-trace, in the manner of bpftool:
 * `mdevver-trace COMMAND [OPTIONS]`, no command means trace.  Each command
 * is its own file and owns its options (cmd_*.c, top.c, report/); the
 * tracing options are shared through trace_options.c.  Every bad command
 * line ends in one line "mdevver-trace: ..." and exit 2.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "report.h"
#include "top.h"

const char *argp_program_version = "mdevver-trace 0.1.0";
const char *argp_program_bug_address = "see README.md";

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
		p_err("unknown command '%s': expected trace, enforce, unpin, probes, "
		      "decode, report or top (see --help)", argv[1]);
		return 2;
	}
	return run_trace(argc, argv);
}
