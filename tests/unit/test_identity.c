// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests for user/core/identity.c against this host's real ids. */
#include <stdio.h>

#include "identity.h"
#include "unit.h"

static int is_hex32(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 32;
}

static void test_ids(void)
{
	struct identity a, b;
	char why[256], boot[64] = "", want[33];
	size_t n = 0;
	FILE *f;

	ASSERT_EQ(0, identity_get(&a, why, sizeof(why)), "identity");
	ASSERT_EQ(0, identity_get(&b, why, sizeof(why)), "identity again");
	ASSERT_TRUE(is_hex32(a.host_id) && is_hex32(a.boot_id) && is_hex32(a.run_id),
		    "32 lowercase hex digits each");
	ASSERT_STREQ(a.host_id, b.host_id, "host id stable");
	ASSERT_STREQ(a.boot_id, b.boot_id, "boot id stable");
	ASSERT_TRUE(strcmp(a.run_id, b.run_id) != 0, "a new run id per run");
	f = fopen("/proc/sys/kernel/random/boot_id", "re");
	ASSERT_TRUE(f != NULL, "kernel boot id readable");
	ASSERT_TRUE(fgets(boot, sizeof(boot), f) != NULL, "kernel boot id read");
	fclose(f);
	for (size_t i = 0; boot[i] && boot[i] != '\n' && n < 32; i++)
		if (boot[i] != '-')
			want[n++] = boot[i];
	want[n] = '\0';
	ASSERT_STREQ(want, a.boot_id, "boot id is the kernel's");
	/* the raw machine-id never leaves the host */
	f = fopen("/etc/machine-id", "re");
	if (f) {
		char mid[64] = "";

		ASSERT_TRUE(fgets(mid, sizeof(mid), f) != NULL, "machine-id read");
		fclose(f);
		ASSERT_STREQ(IDENTITY_FROM_MACHINE_ID, a.host_id_from, "from the machine-id");
		ASSERT_TRUE(strncmp(mid, a.host_id, 32) != 0, "host id is not the machine-id");
	}
}

int main(void)
{
	RUN_TEST(test_ids);
	return unit_exit();
}
