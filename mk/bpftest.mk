# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# mk/bpftest.mk - BPF programs tested on their own with BPF_PROG_TEST_RUN
# (tests/bpf/); included by the top-level Makefile.  They run in the VM
# (tests/vm/guest-suite.sh), like the tracer.
#
#   make bpf-tests      build/bpftest/matcher_test, build/bpftest/slots_test
#
# matcher_test: the in-kernel policy matcher (bpf/policy.bpf.h, included by
# tests/bpf/matcher_test.bpf.c) over the compiler's fixtures
# (tests/unit/policy_fixtures.h); the policy goes into the maps through
# user/enforce/policy_maps.c, as enforce does.
#
# slots_test: the thread table (bpf/capture.bpf.h slot_claim, own_slot,
# end_call) on thread ids the test chooses: colliding windows, slots taken
# over, exits never seen.

BPFTEST_DIR  := $(BUILD)/bpftest
BPFTEST_MODS := policy policy_compile policy_maps escape
BPFTEST_SRCS := tests/bpf/matcher_test.c $(foreach m,$(BPFTEST_MODS),$(wildcard user/*/$(m).c))

.PHONY: bpf-tests
bpf-tests: $(BPFTEST_DIR)/matcher_test $(BPFTEST_DIR)/slots_test

$(BPFTEST_DIR):
	@mkdir -p $@

$(BPFTEST_DIR)/matcher_test.bpf.o: tests/bpf/matcher_test.bpf.c tests/bpf/matcher_case.h $(wildcard bpf/*.h) include/mdevver_trace.h include/mdevver_enforce.h | $(BPFTEST_DIR)
	$(CLANG) $(BPF_CFLAGS) -Itests/bpf -c $< -o $@

$(BPFTEST_DIR)/matcher_test.skel.h: $(BPFTEST_DIR)/matcher_test.bpf.o
	$(BPFTOOL) gen skeleton $< name matcher_test_bpf > $@.tmp && mv $@.tmp $@

$(BPFTEST_DIR)/matcher_test: $(BPFTEST_SRCS) $(BPFTEST_DIR)/matcher_test.skel.h tests/bpf/matcher_case.h tests/unit/policy_fixtures.h tests/unit/unit.h $(HEADERS)
	$(CC) $(USER_CFLAGS) -Itests/bpf -Itests/unit -I$(BPFTEST_DIR) $(BPFTEST_SRCS) -lbpf -lelf -lz -o $@

$(BPFTEST_DIR)/slots_test.bpf.o: tests/bpf/slots_test.bpf.c tests/bpf/slots_case.h $(wildcard bpf/*.h) include/mdevver_trace.h include/mdevver_enforce.h | $(BPFTEST_DIR)
	$(CLANG) $(BPF_CFLAGS) -Itests/bpf -c $< -o $@

$(BPFTEST_DIR)/slots_test.skel.h: $(BPFTEST_DIR)/slots_test.bpf.o
	$(BPFTOOL) gen skeleton $< name slots_test_bpf > $@.tmp && mv $@.tmp $@

$(BPFTEST_DIR)/slots_test: tests/bpf/slots_test.c $(BPFTEST_DIR)/slots_test.skel.h tests/bpf/slots_case.h tests/unit/unit.h include/mdevver_trace.h
	$(CC) $(USER_CFLAGS) -Itests/bpf -Itests/unit -I$(BPFTEST_DIR) $< -lbpf -lelf -lz -o $@
