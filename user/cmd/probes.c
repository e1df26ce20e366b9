// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * probes.c - for every attach point: does the kernel have it, and does the
 * program really load and attach here (tried, one program at a time); then
 * the mode `auto` picks, found by running the same ladder the tracer uses.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "attach.h"
#include "enforce.h"
#include "escape.h"
#include "record.h"
#include "kernel_features.h"
#include "probes.h"
#include "trace.h"

/* 1 yes, 0 no, -1 unknown */
static int attach_point_exists(const struct prog_spec *s, char *where,
			       size_t sz)
{
	char cat[64], name[128];

	where[0] = '\0';
	if (!strcmp(s->kind, "lsm")) {
		char hook[128];

		snprintf(hook, sizeof(hook), "bpf_lsm_%s", s->target);
		return kf_btf_has_func(hook, where, sz);
	}
	if (!strcmp(s->kind, "fentry") || !strcmp(s->kind, "fexit"))
		return kf_btf_has_func(s->target, where, sz);
	if (!strcmp(s->kind, "kprobe") || !strcmp(s->kind, "kretprobe"))
		return kf_kallsyms_has(s->target);
	if (sscanf(s->target, "%63[^/]/%127s", cat, name) != 2)
		return -1;
	return kf_tracepoint_exists(cat, name);
}

/* the LSM program serves enforcement in every attach mode */
static const char *spec_mode(const struct prog_spec *s)
{
	return s->mode ? mode_name(s->mode) : "enforce";
}

static const char *tri(int v)
{
	return v > 0 ? "yes" : v == 0 ? "no" : "unknown";
}

int cmd_probes(bool json)
{
	static const char *const default_attrs[] = { "version", "migration_version" };
	struct tracer_config cfg = {
		.attr_names = default_attrs,
		.n_attr_names = 2,
		.ringbuf_bytes = 4096 * 4,
	};
	char lsm[512], why[256], where[64];
	bool btf = kf_has_vmlinux_btf();
	struct tracer t;
	int lsm_active, err;

	if (require_bpf_environment())
		return 1;
	lsm_active = kf_bpf_lsm_active(lsm, sizeof(lsm));
	if (json) {
		printf("{\"kernel\":\"%s\",\"btf\":%s,\"bpf_lsm\":\"%s\",\"lsm\":",
		       kf_kernel_release(), btf ? "true" : "false", tri(lsm_active));
		json_write_string(stdout, lsm, strlen(lsm));
		printf(",\"attach_points\":[");
	} else {
		printf("kernel:  %s\n", kf_kernel_release());
		printf("btf:     %s (%s)\n", btf ? "yes" : "no", VMLINUX_BTF_PATH);
		printf("bpf lsm: %s (%s)\n", lsm_active > 0 ? "active" :
		       lsm_active == 0 ? "not active: add bpf to the lsm= boot parameter" :
		       "unknown", lsm);
		printf("\n%-8s %-10s %-45s %-8s %-8s %s\n", "MODE", "KIND",
		       "ATTACH POINT", "EXISTS", "LOADS", "DETAIL");
	}
	for (size_t i = 0; i < prog_specs_count; i++) {
		const struct prog_spec *s = &prog_specs[i];
		int exists = attach_point_exists(s, where, sizeof(where));
		int loads = -1;

		snprintf(why, sizeof(why), "not tried: absent");
		if (exists != 0)
			loads = probe_one_program(s, why, sizeof(why)) == 0;
		if (json) {
			printf("%s{\"mode\":\"%s\",\"kind\":\"%s\",\"target\":\"%s\","
			       "\"vendor\":%s,\"exists\":\"%s\",\"loads\":\"%s\",\"detail\":",
			       i ? "," : "", spec_mode(s), s->kind, s->target,
			       s->vendor ? "true" : "false", tri(exists), tri(loads));
			json_write_string(stdout, why, strlen(why));
			if (where[0]) {
				printf(",\"btf_object\":");
				json_write_string(stdout, where, strlen(where));
			}
			printf("}");
		} else {
			printf("%-8s %-10s %-45s %-8s %-8s %s%s%s\n", spec_mode(s),
			       s->kind, s->target, tri(exists), tri(loads), why,
			       where[0] ? " btf=" : "", where);
		}
	}
	err = tracer_start(&t, &cfg);
	if (json) {
		printf("],\"auto_mode\":\"%s\",\"vendor_get_version\":%s,"
		       "\"vendor_check\":%s,\"auto_attempts\":",
		       err ? "none" : mode_name(t.mode),
		       !err && t.vendor_get ? "true" : "false",
		       !err && t.vendor_check ? "true" : "false");
		json_write_string(stdout, t.attempts, strlen(t.attempts));
		enforce_print_pinned(stdout, true);
		printf("}\n");
	} else {
		printf("\nauto mode: %s", err ? "none (nothing attaches)" : mode_name(t.mode));
		if (!err)
			printf(" (vendor probes: get=%s check=%s)",
			       t.vendor_get ? "yes" : "no", t.vendor_check ? "yes" : "no");
		printf("\n");
		if (t.attempts[0])
			printf("fallbacks: %s\n", t.attempts);
		enforce_print_pinned(stdout, false);
	}
	if (!err)
		tracer_stop(&t);
	return 0;
}
