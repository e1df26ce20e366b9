/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report.h - `mdevver-trace report LOG...`: merge audit logs from one or
 * more hosts into a summary and a compatibility matrix (text, or --html).
 */
#ifndef MDEVVER_REPORT_H
#define MDEVVER_REPORT_H

/* argv[0] is the command name; returns the exit code. */
int cmd_report(int argc, char **argv);

#endif
