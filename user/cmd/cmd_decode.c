// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cmd_decode.c - `mdevver-trace decode [--json] STRING...`: no BPF. */
#define _GNU_SOURCE
#include <argp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "decode.h"
#include "escape.h"

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

int run_decode(int argc, char **argv)
{
	static const struct argp_option options[] = {
		{ "json", 'j', NULL, 0, "JSON output", 0 },
		{},
	};
	static const struct argp argp = {
		.options = options,
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
