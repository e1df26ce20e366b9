// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * version.c - what `--version` says: an operator filing a bug or checking
 * a package wants the features this binary was built with and the library
 * versions it runs with, not only a number.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include <bpf/libbpf.h>
#include <curses.h>
#include <json-c/json_c_version.h>

#include "mhd_lib.h"
#include "version.h"

void version_print(FILE *f, struct argp_state *state)
{
	(void)state;
	fprintf(f, "mdevver-trace " MDEVVER_VERSION "\n");
	fprintf(f, "attach modes: fentry, kprobe, syscall (CO-RE, needs kernel BTF)\n");
	fprintf(f, "enforcement: BPF LSM (enforce, --dry-run, --pin)\n");
	fprintf(f, "libbpf: %s\n", libbpf_version_string());
	{
		/* loaded, not linked (mhd_lib.h): say when --metrics-addr could not
		 * work with the libraries installed here */
		char why[512];
		const struct mhd_lib *mhd = mhd_lib(why, sizeof(why));

		if (mhd)
			fprintf(f, "metrics: libmicrohttpd %s\n", mhd->MHD_get_version());
		else
			fprintf(f, "metrics: unavailable (%s)\n", why);
	}
	fprintf(f, "live view: %s\n", curses_version());
	fprintf(f, "json: json-c %s\n", json_c_version());
#ifdef __clang__
	fprintf(f, "compiler: clang %s\n", __clang_version__);
#elif defined(__GNUC__)
	fprintf(f, "compiler: gcc %s\n", __VERSION__);
#endif
}
