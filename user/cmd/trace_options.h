/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * trace_options.h - the tracing options, parsed in one place for every
 * command that traces (trace, enforce, top).  Three argp children a command
 * picks from (plus trace_record_argp, a part of the output group); all
 * share one input, struct trace_cli.
 */
#ifndef MDEVVER_TRACE_OPTIONS_H
#define MDEVVER_TRACE_OPTIONS_H

#include <argp.h>
#include <stddef.h>

#include "mdevver_trace.h"
#include "trace.h"

struct trace_cli {
	struct trace_options trace;
	const char *attrs[MDEVVER_ATTR_NAMES_MAX];
	size_t n_attrs;
	int verbosity;
	/* the long name of the first option given that only applies when
	 * tracing the kernel (attach and record groups), or NULL */
	const char *live_only;
};

/* -p PID, -c COMM, -x, --any-sysfs: which calls are traced (not for
 * enforce: the policy judges every mdev attribute and nothing else) */
extern const struct argp trace_filter_argp;
/* -m, -a, -d, -v, --no-vendor, --ringbuf: how tracing runs */
extern const struct argp trace_attach_argp;
/* -o and the audit-log options, --syslog, --metrics-addr: where records
 * go besides the screen (top takes these) */
extern const struct argp trace_record_argp;
/* -j and trace_record_argp as its child */
extern const struct argp trace_output_argp;

/* The defaults: version and migration_version, an 8M ring, 5 log files. */
void trace_cli_init(struct trace_cli *cli);
/* A command's parser, on ARGP_KEY_INIT: its children (these, the
 * command's argp.children) parse into cli. */
void trace_cli_bind(struct argp_state *state, const struct argp_child *children,
		    struct trace_cli *cli);
/* After parsing: attribute names into the config, libbpf's verbosity. */
void trace_cli_done(struct trace_cli *cli);

struct argp;
/* Parse a tracing command line with argp (its children are the shared
 * option groups) and run the session: the exit code (2 for a bad line). */
int trace_cli_run(const struct argp *argp, int argc, char **argv);

#endif
