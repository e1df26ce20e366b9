/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* trace.h - the tracing session: attach, stream records, account for loss. */
#ifndef MDEVVER_TRACE_CMD_H
#define MDEVVER_TRACE_CMD_H

#include <stdbool.h>

#include "attach.h"
#include "audit_log.h"
#include "enforce.h"

struct sink;

struct trace_options {
	struct tracer_config cfg;
	bool json;
	bool verbose;
	double duration_s;	/* 0: until SIGINT/SIGTERM */
	struct audit_log_options audit;	/* -o FILE and its policy */
	const char *metrics_addr;	/* --metrics-addr HOST:PORT */
	bool journal;			/* --journal: every record to the journal */
	struct enforce_options enforce;	/* `enforce`: policy_path set */
	/* Embedding (the live view): nothing on stdout; every record also
	 * to sink (added last to the pipeline, closed with it); tick_cb
	 * after each round (nonzero: stop); stop_cb once the loop ends,
	 * before the exit summary. */
	bool quiet;
	struct sink *sink;
	int (*tick_cb)(void *ctx);
	void (*stop_cb)(void *ctx);
	void *cb_ctx;
};

/* Returns the process exit code. */
int cmd_trace(const struct trace_options *opt);

/* Shared by the commands that load BPF: root or CAP_BPF+CAP_PERFMON, and
 * kernel BTF.  Prints the one-line error itself; returns 0 when fine. */
int require_bpf_environment(void);

/* libbpf's messages: warnings only with -v, debug with -vv. */
void setup_libbpf_logging(int verbosity);

#endif
