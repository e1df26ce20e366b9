// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * identity.c - host, boot and run ids of this tracer run (identity.h),
 * through libsystemd's sd-id128, which already reads /etc/machine-id and
 * the kernel's boot id the way the rest of systemd does and derives
 * application-specific ids with HMAC-SHA256.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-id128.h>

#include "identity.h"

static void hex(char out[33], sd_id128_t v)
{
	char s[SD_ID128_STRING_MAX];

	memcpy(out, sd_id128_to_string(v, s), 33);
}

int identity_host(struct identity *id, char *why, size_t why_sz)
{
	sd_id128_t v;
	int err;

	id->why[0] = '\0';
	err = sd_id128_get_machine_app_specific(MDEVVER_APP_ID, &v);
	if (!err) {
		hex(id->host_id, v);
		id->host_id_from = IDENTITY_FROM_MACHINE_ID;
		return 0;
	}
	/* no (or an empty, or an uninitialized) /etc/machine-id: an image
	 * booted without systemd, a container.  The boot id hashed the same
	 * way still never collides with another host. */
	snprintf(id->why, sizeof(id->why), "/etc/machine-id: %s",
		 err == -ENOMEDIUM ? "empty or uninitialized" :
		 err == -ENOENT ? "missing" : strerror(-err));
	err = sd_id128_get_boot_app_specific(MDEVVER_APP_ID, &v);
	if (err) {
		snprintf(why, why_sz, "no host id: %s, and the boot id: %s", id->why,
			 strerror(-err));
		return -1;
	}
	hex(id->host_id, v);
	id->host_id_from = IDENTITY_FROM_BOOT_ID;
	return 0;
}

int identity_get(struct identity *id, char *why, size_t why_sz)
{
	sd_id128_t v;
	int err;

	if (identity_host(id, why, why_sz))
		return -1;
	err = sd_id128_get_boot(&v);
	if (err) {
		snprintf(why, why_sz, "boot id (/proc/sys/kernel/random/boot_id): %s",
			 strerror(-err));
		return -1;
	}
	hex(id->boot_id, v);
	err = sd_id128_randomize(&v);
	if (err) {
		snprintf(why, why_sz, "random run id: %s", strerror(-err));
		return -1;
	}
	hex(id->run_id, v);
	return 0;
}
