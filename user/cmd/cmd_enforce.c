// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_enforce.c - `mdevver-trace enforce --policy FILE ...` (the tracer
 * with the BPF LSM judging every check) and `mdevver-trace unpin`.
 */
#define _GNU_SOURCE
#include <argp.h>

#include "commands.h"
#include "enforce.h"
#include "trace_options.h"

enum {
	OPT_POLICY = 0x200,
	OPT_DRY_RUN,
	OPT_PIN,
	OPT_STRICT,
};

static const char enforce_doc[] =
"Enforce a deny list on mdev compatibility checks (and reads) in the kernel\n"
"through BPF LSM, and report every check like the tracer.  --policy FILE is\n"
"required.\n"
"\n"
"The policy format is in docs/policy.md (installed under\n"
"share/doc/mdevver-trace; man mdevver-trace).  A denied check fails with\n"
"EPERM before it reaches the driver; the event's outcome is 'denied' and\n"
"names the rule.  SIGHUP re-reads FILE and swaps it in without\n"
"a gap; a bad file keeps the previous rules.\n"
"\n"
"EXAMPLES:\n"
"    mdevver-trace enforce --policy /etc/mdevver-trace/site.policy\n"
"    mdevver-trace enforce --policy site.policy --dry-run -j  # refuse nothing\n"
"    mdevver-trace enforce --policy site.policy --pin -o /var/log/mdevver-trace/enforce.jsonl\n"
"    mdevver-trace unpin                                    # end it again\n"
"\n"
"OPTIONS:";

static const struct argp_option enforce_options[] = {
	{ "policy", OPT_POLICY, "FILE", 0, "The policy (owned by root, not group/other-writable)", 0 },
	{ "dry-run", OPT_DRY_RUN, NULL, 0, "Refuse nothing; report matches as would-deny (works without BPF LSM)", 0 },
	{ "pin", OPT_PIN, NULL, 0, "Pin links and maps under " MDEVVER_PIN_DIR ": enforcement outlives this process; adopt what is pinned", 0 },
	{ "strict", OPT_STRICT, NULL, 0, "Refuse (ENOBUFS) a check that cannot be recorded", 0 },
	{},
};

/* The tracing options without -p, -c and -x: enforce judges every process
 * and reports every check, so those filters do not exist there. */
static const struct argp_child enforce_children[] = {
	{ &trace_attach_argp, 0, "Tracing (as for trace):", 1 },
	{ &trace_output_argp, 0, "Output (as for trace):", 2 },
	{},
};

static error_t enforce_parse(int key, char *arg, struct argp_state *state)
{
	struct trace_cli *cli = state->input;
	struct enforce_options *e = &cli->trace.enforce;

	switch (key) {
	case ARGP_KEY_INIT:
		trace_cli_bind(state, enforce_children, cli);
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
	case OPT_STRICT:
		cli->trace.cfg.strict = true;
		break;
	case ARGP_KEY_END:
		if (!e->policy_path)
			argp_error(state, "--policy FILE is required");
		if (cli->trace.cfg.strict && e->dry_run)
			argp_error(state, "--strict refuses checks; it makes no sense with --dry-run");
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s': enforce takes no arguments "
			   "(the policy is --policy FILE)", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int run_enforce(int argc, char **argv)
{
	static const struct argp argp = {
		.options = enforce_options,
		.parser = enforce_parse,
		.doc = enforce_doc,
		.children = enforce_children,
	};
	return trace_cli_run(&argp, argc, argv);
}

static error_t no_args_parse(int key, char *arg, struct argp_state *state)
{
	if (key == ARGP_KEY_ARG)
		argp_error(state, "unexpected argument '%s': unpin takes no arguments", arg);
	else
		return ARGP_ERR_UNKNOWN;
	return 0;
}

int run_unpin(int argc, char **argv)
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
