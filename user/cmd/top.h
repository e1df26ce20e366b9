/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* top.h - `mdevver-trace top`: the live view (ncurses, or plain text). */
#ifndef MDEVVER_TOP_H
#define MDEVVER_TOP_H

/* argv[0] is the command name; returns the exit code. */
int cmd_top(int argc, char **argv);

#endif
