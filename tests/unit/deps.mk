# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Extra modules a unit test links besides user/*/<module>.c (see Makefile).
UNIT_DEPS_policy := escape
UNIT_DEPS_policy_compile := policy escape
# the record pipeline (user/record, user/sinks)
REC_FMT := record escape decode outcome
UNIT_DEPS_json_fmt := $(REC_FMT)
UNIT_DEPS_json_record := json_fmt $(REC_FMT)
UNIT_LDLIBS_json_record := -ljson-c
UNIT_DEPS_node_cache := sysfs_path record
UNIT_DEPS_from_event := node_cache sysfs_path json_fmt $(REC_FMT)
# libmicrohttpd is dlopen'ed by metrics_start (mhd_lib.c), not linked
UNIT_DEPS_metrics := record mhd_lib lazy_lib escape
UNIT_LDLIBS_metrics := -lpthread
UNIT_DEPS_audit_log := pipeline json_fmt $(REC_FMT)
# the migration lifecycle (record/from_vfio.c, record/migration.c)
UNIT_DEPS_migration := from_vfio vm_name $(REC_FMT)
UNIT_DEPS_top_model := json_record json_fmt $(REC_FMT)
UNIT_LDLIBS_top_model := -ljson-c
# record identity: sd-id128 from libsystemd, dlopen'ed (lazy_lib.c)
UNIT_DEPS_identity := lazy_lib escape
UNIT_DEPS_pipeline := json_fmt $(REC_FMT)
# report's filter: times normalized by the record parser
UNIT_DEPS_report_filter := report_record report_tally
UNIT_LDLIBS_report_filter := -ljson-c
UNIT_LDLIBS_btf_scan := -lbpf
# the ring consumer: ring_reader_open asks the kernel for the map's size
UNIT_LDLIBS_ring_reader := -lbpf
# the small CO-RE target: built from the raw walk, read back with libbpf
UNIT_DEPS_core_btf := btf_scan kernel_features
UNIT_LDLIBS_core_btf := -lbpf
