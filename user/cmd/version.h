/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* version.h - `--version`: the number and what this build carries. */
#ifndef MDEVVER_VERSION_H
#define MDEVVER_VERSION_H

#include <argp.h>
#include <stdio.h>

#define MDEVVER_VERSION "0.1.0"

/* argp_program_version_hook: the version line, then one line per feature
 * (the library versions are those linked at run time) */
void version_print(FILE *f, struct argp_state *state);

#endif
