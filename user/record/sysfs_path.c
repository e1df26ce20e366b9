/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* sysfs_path.c - from the kernfs names BPF captured to a path and its parts. */
#include <string.h>

#include "sysfs_path.h"

static const char *name_at(const char *names, size_t name_max, unsigned int i)
{
	return names + (size_t)i * name_max;
}

/*
 * Append s[0..n) at *pos, keeping out NUL-terminated.  What does not fit is
 * cut off; returns -1 then, 0 when all of it fitted.
 */
static int append(char *out, size_t outsz, size_t *pos, const char *s, size_t n)
{
	size_t room = outsz - 1 - *pos;	/* callers keep *pos < outsz */
	int ret = 0;

	if (n > room) {
		n = room;
		ret = -1;
	}
	memcpy(out + *pos, s, n);
	*pos += n;
	out[*pos] = '\0';
	return ret;
}

int sysfs_path_join(char *out, size_t outsz, const char *names, size_t name_max,
		    unsigned int depth, int path_truncated)
{
	size_t pos = 0;
	unsigned int i;

	if (!outsz)
		return -1;
	out[0] = '\0';
	if (append(out, outsz, &pos, "/sys", 4))
		return -1;
	if (path_truncated && append(out, outsz, &pos, "/...", 4))
		return -1;
	/* names[] runs from the attribute upwards: print it backwards */
	for (i = depth; i-- > 0;) {
		const char *n = name_at(names, name_max, i);

		if (append(out, outsz, &pos, "/", 1) ||
		    append(out, outsz, &pos, n, strnlen(n, name_max)))
			return -1;
	}
	return 0;
}

/* name (ending at its NUL or at name_max) equals want */
static int name_is(const char *name, size_t name_max, const char *want)
{
	size_t len = strlen(want);

	return strnlen(name, name_max) == len && memcmp(name, want, len) == 0;
}

void sysfs_attr_locate(const char *names, size_t name_max, unsigned int depth,
		       struct sysfs_attr_location *loc)
{
	loc->attr = depth >= 1 ? name_at(names, name_max, 0) : NULL;
	loc->parent = NULL;
	loc->mdev_type = NULL;
	loc->device = NULL;
	if (depth < 2)
		return;
	if (depth >= 3 &&
	    name_is(name_at(names, name_max, 2), name_max, "mdev_supported_types")) {
		/* <parent>/mdev_supported_types/<type>/<attr> */
		loc->mdev_type = name_at(names, name_max, 1);
		if (depth >= 4)
			loc->parent = name_at(names, name_max, 3);
		return;
	}
	/* <parent>/<device>/<attr> */
	loc->device = name_at(names, name_max, 1);
	if (depth >= 3)
		loc->parent = name_at(names, name_max, 2);
}
