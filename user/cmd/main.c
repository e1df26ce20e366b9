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
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "report.h"
#include "top.h"
#include "version.h"

/* --version prints the build's features, not only the number (version.c) */
void (*argp_program_version_hook)(FILE *, struct argp_state *) = version_print;

static int run_help(int argc, char **argv);

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
	{ "help", "mdevver-trace help", run_help },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

bool command_exists(const char *name)
{
	return command_find(name) != NULL;
}

static int command_run(const struct command *c, int argc, char **argv)
{
	argv[0] = (char *)c->prog_name;
	return c->run(argc, argv);
}

/* `help [COMMAND]`: that command's --help (no command: trace's, which
 * lists every command); exit 0, or 2 for an unknown command. */
static int run_help(int argc, char **argv)
{
	const struct command *c;
	char help[] = "--help";
	char *args[3] = { NULL, help, NULL };

	if (argc > 2) {
		p_err("help takes at most one COMMAND, not '%s'", argv[2]);
		return 2;
	}
	if (argc == 2 && argv[1][0] == '-' && strcmp(argv[1], "--help") && strcmp(argv[1], "-?")) {
		p_err("help takes no options ('%s'): mdevver-trace help [COMMAND]", argv[1]);
		return 2;
	}
	if (argc < 2 || argv[1][0] == '-' || !strcmp(argv[1], "help")) {
		/* the main help, word for word as `mdevver-trace --help` */
		args[0] = (char *)"mdevver-trace";
		return run_trace(2, args);
	}
	c = command_find(argv[1]);
	if (!c) {
		p_err("unknown command '%s': expected %s", argv[1], COMMAND_NAMES);
		return 2;
	}
	return command_run(c, 2, args);
}

int main(int argc, char **argv)
{
	/*
	 * A fixed mmap threshold (glibc's default size, without its dynamic
	 * raise): libbpf reads vmlinux's BTF (megabytes) into a buffer it
	 * frees again; glibc then raises the threshold to that size, and the
	 * parse's growing arrays land on the brk heap, where each realloc
	 * copies and the freed copies stay resident.  Large blocks are then
	 * always mmapped and given back.  The peak RSS it seemed to save
	 * (27.7 -> 15.4 MiB in the bench VM) was 6.1's lagging RSS counters,
	 * not this: the page-table walk shows ~31 MiB with and without it,
	 * 20 of them the ring buffers (docs/delivery.md, "Where the cost goes").
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	argv[0] = (char *)"mdevver-trace";
	argp_err_exit_status = 2;	/* every usage error: exit 2 */
	if (argc > 1 && argv[1][0] != '-') {
		const struct command *c = command_find(argv[1]);

		if (c)
			return command_run(c, argc - 1, argv + 1);
		p_err("unknown command '%s': expected %s (mdevver-trace help)",
		      argv[1], COMMAND_NAMES);
		return 2;
	}
	return run_trace(argc, argv);
}
