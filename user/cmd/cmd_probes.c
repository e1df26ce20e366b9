// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cmd_probes.c - `mdevver-trace probes [--json]` (the work is probes.c). */
#define _GNU_SOURCE
#include <argp.h>
#include <stdbool.h>

#include "commands.h"
#include "probes.h"
#include "trace.h"

static error_t probes_parse(int key, char *arg, struct argp_state *state)
{
	bool *json = state->input;

	switch (key) {
	case 'j':
		*json = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s': probes takes no arguments", arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

int run_probes(int argc, char **argv)
{
	static const struct argp_option options[] = {
		{ "json", 'j', NULL, 0, "JSON output", 0 },
		{},
	};
	static const struct argp argp = {
		.options = options,
		.parser = probes_parse,
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
