/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* probes.h - `mdevver-trace probes`: what this kernel lets the tool do. */
#ifndef MDEVVER_PROBES_H
#define MDEVVER_PROBES_H

#include <stdbool.h>

int cmd_probes(bool json);

#endif
