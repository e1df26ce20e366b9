/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* file_kind.h - what a path is when it is not the regular file expected,
 * for one-line refusals ("not a regular file (a FIFO)"): the audit log
 * and the policy file. */
#ifndef MDEVVER_FILE_KIND_H
#define MDEVVER_FILE_KIND_H

#include <sys/stat.h>

static inline const char *file_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "not a file";
}

#endif
