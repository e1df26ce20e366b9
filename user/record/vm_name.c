// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vm_name.c - see vm_name.h. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vm_name.h"

static const char MACHINE_QEMU[] = "machine-qemu\\x2d";

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* systemd's unit-name unescaping of s[0..n) into dst */
static void unescape(char *dst, size_t sz, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < sz; i++) {
		int hi, lo;

		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    (hi = hexval(s[i + 2])) >= 0 && (lo = hexval(s[i + 3])) >= 0) {
			dst[o++] = (char)(hi << 4 | lo);
			i += 3;
		} else {
			dst[o++] = s[i];
		}
	}
	dst[o] = '\0';
}

static int ends_with(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);

	return n >= m && !memcmp(s + n - m, suf, m);
}

void cgroup_names_of_path(const char *path, size_t len, struct cgroup_names *out)
{
	size_t i = 0;

	out->vm[0] = out->unit[0] = '\0';
	while (i < len) {
		size_t j = i, n;
		const char *c;

		while (j < len && path[j] != '/')
			j++;
		c = path + i;
		n = j - i;
		if (n && (ends_with(c, n, ".scope") || ends_with(c, n, ".service"))) {
			size_t m = n < VM_NAME_MAX - 1 ? n : VM_NAME_MAX - 1;

			memcpy(out->unit, c, m);
			out->unit[m] = '\0';
			/* machine-qemu\x2d<id>\x2d<name>.scope */
			if (ends_with(c, n, ".scope") && n > sizeof(MACHINE_QEMU) - 1 &&
			    !memcmp(c, MACHINE_QEMU, sizeof(MACHINE_QEMU) - 1)) {
				const char *p = c + sizeof(MACHINE_QEMU) - 1;
				const char *e = c + n - strlen(".scope");

				while (p < e && *p >= '0' && *p <= '9')
					p++;
				if (p + 4 <= e && !memcmp(p, "\\x2d", 4) && p > c + sizeof(MACHINE_QEMU) - 1)
					unescape(out->vm, sizeof(out->vm), p + 4, (size_t)(e - p - 4));
			}
		}
		i = j + 1;
	}
}

#define CACHE_SLOTS 64

struct cache_slot {
	uint64_t cgroup_id;
	struct cgroup_names names;
};

static _Thread_local struct cache_slot cache[CACHE_SLOTS];

const struct cgroup_names *cgroup_names_of_task(uint32_t pid, uint64_t cgroup_id)
{
	struct cache_slot *slot = &cache[cgroup_id % CACHE_SLOTS];
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	if (cgroup_id && slot->cgroup_id == cgroup_id)
		return &slot->names;
	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	/* cgroup v2: the line "0::/path" */
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t ll = nl ? (size_t)(nl - line) : strlen(line);

		if (ll >= 3 && !memcmp(line, "0::", 3)) {
			cgroup_names_of_path(line + 3, ll - 3, &slot->names);
			slot->cgroup_id = cgroup_id;
			return &slot->names;
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}
