// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * probes.c - for every attach point: does the kernel have it, and does the
 * program really load and attach here (tried, one program at a time); then
 * the mode `auto` picks, found by running the same ladder the tracer uses.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/magic.h>

#include "attach.h"
#include "enforce.h"
#include "escape.h"
#include "identity.h"
#include "record.h"
#include "kernel_features.h"
#include "privileges.h"
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

static int read_int(const char *path, int dflt)
{
	FILE *f = fopen(path, "re");
	int v = dflt;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = dflt;
		fclose(f);
	}
	return v;
}

/* A set as a JSON array of names. */
static void json_caps(capset_t set)
{
	putchar('[');
	if (set) {
		char names[1024], *p, *save = NULL;
		bool first = true;

		privileges_names(set, names, sizeof(names));
		for (p = strtok_r(names, ", ", &save); p; p = strtok_r(NULL, ", ", &save)) {
			printf("%s\"%s\"", first ? "" : ",", p);
			first = false;
		}
	}
	putchar(']');
}

/*
 * What trace and enforce need, what this process has, what a session keeps
 * after start (docs/privileges.md).  Besides CAP_BPF and CAP_PERFMON:
 * perf_event_open (kprobe and syscall modes) needs CAP_SYS_ADMIN where
 * kernel.perf_event_paranoid > 2 (Debian's patch); syscall mode reads the
 * tracepoint ids in tracefs (root's, mode 0700: CAP_DAC_READ_SEARCH for
 * another uid); fentry on a module's function (the vendor probes) finds
 * the module's BTF by id, which needs CAP_SYS_ADMIN.
 */
static void print_privileges(bool json)
{
	capset_t eff = privileges_effective(), kept = privileges_kept();
	capset_t miss_t = privileges_missing(false), miss_e = privileges_missing(true);
	int paranoid = read_int("/proc/sys/kernel/perf_event_paranoid", 2);
	bool ids = access("/sys/kernel/tracing/events/syscalls/sys_enter_write/id", R_OK) == 0;
	int last = read_int("/proc/sys/kernel/cap_last_cap", 40);
	capset_t all = last >= 63 ? ~(capset_t)0 : (CAPSET_BIT(last + 1) - 1);
	char a[1024], b[256];

	if (json) {
		printf(",\"privileges\":{\"uid\":%u,\"effective\":", (unsigned int)geteuid());
		json_caps(eff);
		printf(",\"trace_needs\":");
		json_caps(privileges_needed_to_load(false));
		printf(",\"trace_missing\":");
		json_caps(miss_t);
		printf(",\"enforce_needs\":");
		json_caps(privileges_needed_to_load(true));
		printf(",\"enforce_missing\":");
		json_caps(miss_e);
		printf(",\"kept_after_start\":");
		json_caps(kept);
		printf(",\"perf_event_paranoid\":%d,\"tracefs_ids_readable\":%s}",
		       paranoid, ids ? "true" : "false");
		return;
	}
	printf("\nprivileges: uid %u, effective: %s\n", (unsigned int)geteuid(),
	       (eff & all) == all ? "all" : privileges_names(eff, a, sizeof(a)));
	printf("  trace needs:   %s (missing: %s)\n",
	       privileges_names_and(privileges_needed_to_load(false), a, sizeof(a)),
	       privileges_names(miss_t, b, sizeof(b)));
	printf("  enforce needs: %s (missing: %s)\n",
	       privileges_names_and(privileges_needed_to_load(true), a, sizeof(a)),
	       privileges_names(miss_e, b, sizeof(b)));
	printf("  kprobe/syscall modes: perf_event_paranoid=%d: %s\n", paranoid,
	       paranoid > 2 ? "perf_event_open needs CAP_SYS_ADMIN too" :
	       "CAP_PERFMON is enough");
	printf("  syscall mode: tracefs tracepoint ids %s\n", ids ? "readable" :
	       "not readable by this process (root, CAP_DAC_READ_SEARCH, or mount tracefs with gid=)");
	printf("  fentry vendor probes (module BTF): CAP_SYS_ADMIN\n");
	printf("  kept after start (trace, enforce, top): %s; every other capability is dropped\n",
	       privileges_names(kept, a, sizeof(a)));
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
	bool syscall_lifecycle;
	struct tracer t;
	bool tracefs = kf_tracefs_mounted();
	bool securityfs = kf_fs_is(KF_SECURITYFS_PATH, SECURITYFS_MAGIC);
	bool bpffs = kf_fs_is(KF_BPFFS_PATH, BPF_FS_MAGIC);
	int lsm_active, err, id_err;
	struct identity id;
	char id_why[256];

	if (require_bpf_environment())
		return 1;
	lsm_active = kf_bpf_lsm_active(lsm, sizeof(lsm));
	if (json) {
		printf("{\"kernel\":\"%s\",\"btf\":%s,\"bpf_lsm\":\"%s\",\"lsm\":",
		       kf_kernel_release(), btf ? "true" : "false", tri(lsm_active));
		json_write_string(stdout, lsm, strlen(lsm));
		printf(",\"tracefs\":%s,\"securityfs\":%s,\"bpffs\":%s",
		       tracefs ? "true" : "false", securityfs ? "true" : "false",
		       bpffs ? "true" : "false");
		printf(",\"attach_points\":[");
	} else {
		printf("kernel:  %s\n", kf_kernel_release());
		printf("btf:     %s (%s)\n", btf ? "yes" : "no", VMLINUX_BTF_PATH);
		printf("bpf lsm: %s (%s)\n", lsm_active > 0 ? "active" :
		       lsm_active == 0 ? "not active: add bpf to the lsm= boot parameter" :
		       "unknown", lsm);
		/* what nobody mounted, and the command that does it */
		printf("mounts:  tracefs %s, securityfs %s, bpffs %s\n",
		       tracefs ? "yes" : "no", securityfs ? "yes" : "no", bpffs ? "yes" : "no");
		if (!tracefs)
			printf("  tracefs (syscall mode's tracepoint ids): %s\n", KF_MOUNT_TRACEFS);
		if (!securityfs)
			printf("  securityfs (is BPF LSM active? enforce): %s\n", KF_MOUNT_SECURITYFS);
		if (!bpffs)
			printf("  bpffs (enforce --pin): %s\n", KF_MOUNT_BPFFS);
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
	syscall_lifecycle = lifecycle_func_present(MDEVVER_MODE_SYSCALL, "vfio",
						   "syscalls/sys_enter_ioctl") &&
			    lifecycle_func_present(MDEVVER_MODE_SYSCALL, "vfio",
						   "syscalls/sys_exit_ioctl");
	err = tracer_start(&t, &cfg);
	/* the identity records get (docs/event-schema.md): the fallback is
	 * worth knowing before a fleet's records are merged */
	id_err = identity_host(&id, id_why, sizeof(id_why));
	if (json) {
		printf("],\"auto_mode\":\"%s\",\"vendor_get_version\":%s,"
		       "\"vendor_check\":%s,\"lifecycle\":\"%s\",\"lifecycle_syscall\":\"%s\","
		       "\"auto_attempts\":",
		       err ? "none" : mode_name(t.mode),
		       !err && t.vendor_get ? "true" : "false",
		       !err && t.vendor_check ? "true" : "false",
		       err ? "none" : lifecycle_label(&t),
		       syscall_lifecycle ? "vfio-syscall" : "none");
		json_write_string(stdout, t.attempts, strlen(t.attempts));
		if (!id_err) {
			printf(",\"host_id\":\"%s\",\"host_id_from\":\"%s\"", id.host_id,
			       id.host_id_from);
		} else {
			printf(",\"host_id\":null,\"host_id_error\":");
			json_write_string(stdout, id_why, strlen(id_why));
		}
		enforce_print_pinned(stdout, true);
		print_privileges(true);
		printf("}\n");
	} else {
		printf("\nauto mode: %s", err ? "none (nothing attaches)" : mode_name(t.mode));
		if (!err)
			printf(" (vendor probes: get=%s check=%s)",
			       t.vendor_get ? "yes" : "no", t.vendor_check ? "yes" : "no");
		printf("\n");
		if (!err)
			printf("lifecycle: %s%s\n", lifecycle_label(&t),
			       strcmp(lifecycle_label(&t), "mdev+vfio") ?
			       " (mdev create/remove need the mdev module, VFIO open/close "
			       "and migration states the vfio module, loaded before the "
			       "tracer starts)" : " (create/remove, VFIO open/close, "
			       "migration queries and state changes)");
		printf("lifecycle in syscall mode: %s\n", syscall_lifecycle ?
		       "vfio-syscall (VFIO opens, migration queries and state changes "
		       "decoded from ioctl(2) on VFIO device files; no close, create/remove "
		       "or driver-reported \"from\")" :
		       "none (needs the vfio module loaded and its vfio_device_fops in "
		       "/proc/kallsyms)");
		if (t.attempts[0])
			printf("fallbacks: %s\n", t.attempts);
		if (id_err)
			printf("host id: none: %s\n", id_why);
		else if (!strcmp(id.host_id_from, IDENTITY_FROM_MACHINE_ID))
			printf("host id: %s (from /etc/machine-id, hashed)\n", id.host_id);
		else
			printf("host id: %s (from the boot id: new every boot; %s)\n",
			       id.host_id, id.why);
		enforce_print_pinned(stdout, false);
		print_privileges(false);
	}
	if (!err)
		tracer_stop(&t);
	return 0;
}
