// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* report.c - placeholder, being written (see report.h). */
#include <stdio.h>

#include "report.h"

int cmd_report(int argc, char **argv)
{
	(void)argc, (void)argv;
	fprintf(stderr, "mdevver-trace report: not implemented yet\n");
	return 2;
}
