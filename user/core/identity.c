// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * identity.c - host, boot and run ids of this tracer run (identity.h),
 * through libsystemd's sd-id128, which already reads /etc/machine-id and
 * the kernel's boot id the way the rest of systemd does and derives
 * application-specific ids with HMAC-SHA256.
 *
 * libsystemd is opened for this and closed again (lazy_lib.h): the ids
 * are taken once, before anything is loaded into the kernel, so its pages
 * and those of the compression and crypto libraries it pulls in are not
 * part of the tracer's resident set while it runs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-id128.h>

#include "identity.h"
#include "lazy_lib.h"
#include "sd_lib.h"

#define ID_LIB_FUNCS(X)				\
	X(sd_id128_get_machine_app_specific)	\
	X(sd_id128_get_boot_app_specific)	\
	X(sd_id128_get_boot)			\
	X(sd_id128_randomize)			\
	X(sd_id128_to_string)

struct id_lib {
	ID_LIB_FUNCS(LAZY_LIB_MEMBER)
};

/* the table from a handle of our own, closed by the caller: NULL with
 * why set when libsystemd cannot be loaded */
static void *id_lib_open(struct id_lib *lib, char *why, size_t why_sz)
{
	void *h = lazy_lib_open(SD_LIB_SONAME, why, why_sz);

	if (h && LAZY_LIB_FILL(h, SD_LIB_SONAME, *lib, ID_LIB_FUNCS, why, why_sz)) {
		lazy_lib_close(h);
		h = NULL;
	}
	return h;
}

static void hex(const struct id_lib *sd, char out[33], sd_id128_t v)
{
	char s[SD_ID128_STRING_MAX];

	memcpy(out, sd->sd_id128_to_string(v, s), 33);
}

static int host_id(const struct id_lib *sd, struct identity *id, char *why,
		   size_t why_sz)
{
	sd_id128_t v;
	int err;

	id->why[0] = '\0';
	err = sd->sd_id128_get_machine_app_specific(MDEVVER_APP_ID, &v);
	if (!err) {
		hex(sd, id->host_id, v);
		id->host_id_from = IDENTITY_FROM_MACHINE_ID;
		return 0;
	}
	/* no (or an empty, or an uninitialized) /etc/machine-id: an image
	 * booted without systemd, a container.  The boot id hashed the same
	 * way still never collides with another host. */
	snprintf(id->why, sizeof(id->why), "/etc/machine-id: %s",
		 err == -ENOMEDIUM ? "empty or uninitialized" :
		 err == -ENOENT ? "missing" : strerror(-err));
	err = sd->sd_id128_get_boot_app_specific(MDEVVER_APP_ID, &v);
	if (err) {
		snprintf(why, why_sz, "no host id: %s, and the boot id: %s", id->why,
			 strerror(-err));
		return -1;
	}
	hex(sd, id->host_id, v);
	id->host_id_from = IDENTITY_FROM_BOOT_ID;
	return 0;
}

static int all_ids(const struct id_lib *sd, struct identity *id, char *why,
		   size_t why_sz)
{
	sd_id128_t v;
	int err;

	if (host_id(sd, id, why, why_sz))
		return -1;
	err = sd->sd_id128_get_boot(&v);
	if (err) {
		snprintf(why, why_sz, "boot id (/proc/sys/kernel/random/boot_id): %s",
			 strerror(-err));
		return -1;
	}
	hex(sd, id->boot_id, v);
	err = sd->sd_id128_randomize(&v);
	if (err) {
		snprintf(why, why_sz, "random run id: %s", strerror(-err));
		return -1;
	}
	hex(sd, id->run_id, v);
	return 0;
}

/* fn with libsystemd's table, opened for the call and closed after it */
static int with_id_lib(int (*fn)(const struct id_lib *, struct identity *, char *, size_t),
		       struct identity *id, char *why, size_t why_sz)
{
	struct id_lib sd;
	void *h = id_lib_open(&sd, why, why_sz);
	int err;

	if (!h)
		return -1;
	err = fn(&sd, id, why, why_sz);
	lazy_lib_close(h);
	return err;
}

int identity_host(struct identity *id, char *why, size_t why_sz)
{
	return with_id_lib(host_id, id, why, why_sz);
}

int identity_get(struct identity *id, char *why, size_t why_sz)
{
	return with_id_lib(all_ids, id, why, why_sz);
}
