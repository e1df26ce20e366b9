# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# mk/fuzz.mk - libFuzzer targets (tests/fuzz/fuzz_<name>.c); included by the
# top-level Makefile.  Needs clang's libFuzzer runtime (Debian:
# libclang-rt-14-dev).  See docs/fuzzing.md.
#
#   make fuzz                 each target for FUZZ_SECONDS (60), then its
#                             execs and coverage; crashes FAIL
#   make fuzz FUZZ_TARGETS=policy FUZZ_SECONDS=600
#   make fuzz-check           the brief mode (a few seconds each, plus the
#                             regression inputs): one PASS/FAIL line each
#   make fuzz-bins            build only, into $(BUILD)/fuzz/
#
# The code under test is built with the fuzzer's coverage instrumentation
# and ASan+UBSan; any sanitizer report, leak or crash stops the run.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_SAN     := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS  := -std=gnu11 $(WARN) -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) $(USER_INC)

# The modules each target links (user/*/<module>.c), as tests/unit/deps.mk
FUZZ_MODS_policy      := policy policy_compile escape
FUZZ_MODS_decode      := decode
FUZZ_LIBS_decode      := -ljson-c
FUZZ_MODS_escape      := escape
FUZZ_LIBS_escape      := -ljson-c
FUZZ_MODS_json_record := json_record json_fmt record escape decode outcome top_model
FUZZ_LIBS_json_record := -ljson-c
FUZZ_MODS_report      := report_input report_record report_model report_tally report_sources report_filter \
			 report_migrations report_identity \
			 report_show report_text report_html escape
FUZZ_LIBS_report      := -ljson-c

FUZZ_BINS := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-bins fuzz-check

$(FUZZ_DIR):
	@mkdir -p $@

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $$(foreach m,$$(FUZZ_MODS_$$*),$$(wildcard user/*/$$(m).c)) tests/fuzz/fuzz.h $(HEADERS) | $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itests/fuzz $(filter %.c,$^) $(FUZZ_LIBS_$*) -o $@

fuzz-bins: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@tests/fuzz/run.sh --no-build --build $(BUILD) --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-check: $(FUZZ_BINS)
	@tests/fuzz/run.sh --no-build --brief --build $(BUILD) $(FUZZ_TARGETS)
