/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * commands.h - one entry point per command, each in its own file owning
 * its options: argv[0] is the command's name; returns the exit code (2 for
 * a bad command line).
 */
#ifndef MDEVVER_COMMANDS_H
#define MDEVVER_COMMANDS_H

#include <stdbool.h>

/* every command main.c knows, for messages */
#define COMMAND_NAMES "trace, probes, decode, report, top, enforce, unpin or help"

int run_trace(int argc, char **argv);	/* cmd_trace.c (also: no command) */
int run_enforce(int argc, char **argv);	/* cmd_enforce.c */
int run_unpin(int argc, char **argv);	/* cmd_enforce.c */
int run_probes(int argc, char **argv);	/* cmd_probes.c */
int run_decode(int argc, char **argv);	/* cmd_decode.c */
/* report: cmd_report (report/report.h); top: cmd_top (top.h) */

/* Is name a command (main.c)?  A stray argument that is one was put after
 * options: the parsers say so instead of "unexpected argument". */
bool command_exists(const char *name);

#endif
