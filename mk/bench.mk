# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# mk/bench.mk - what the VM benchmark (tests/bench.sh, tests/bench/guest.sh)
# runs besides build/mdevver-trace; included by the top-level Makefile.
#
#   make bench-tools    build/bench/{write_loop,flood,floor,record_floor}
#
# floor: the empty-program floor (tests/bench/floor.bpf.c, empty fentry and
# fexit on the functions the tracer hooks) and its libbpf loader
# (tests/bench/floor.c), the skeleton generated like the tracer's.
# record_floor: the least a recorder of a check does on the same hooks
# (tests/bench/record_floor.bpf.c; CO-RE, the tracer's kernel_types.h).

BENCH_DIR := $(BUILD)/bench
BENCH_TOOLS := $(BENCH_DIR)/write_loop $(BENCH_DIR)/flood $(BENCH_DIR)/floor \
	       $(BENCH_DIR)/record_floor

.PHONY: bench-tools
bench-tools: $(BENCH_TOOLS)

$(BENCH_DIR):
	@mkdir -p $@

$(BENCH_DIR)/write_loop: tests/bench/write_loop.c | $(BENCH_DIR)
	$(CC) -std=gnu11 -O2 $(WARN) $< -o $@

$(BENCH_DIR)/flood: tests/vm/flood.c | $(BENCH_DIR)
	$(CC) -std=gnu11 -O2 $(WARN) $< -o $@

$(BENCH_DIR)/floor.bpf.o: tests/bench/floor.bpf.c | $(BENCH_DIR)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_DIR)/floor.skel.h: $(BENCH_DIR)/floor.bpf.o
	$(BPFTOOL) gen skeleton $< name floor_bpf > $@.tmp && mv $@.tmp $@

$(BENCH_DIR)/floor: tests/bench/floor.c tests/bench/bench_loader.h $(BENCH_DIR)/floor.skel.h
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -I$(BENCH_DIR) $< -lbpf -lelf -lz -o $@

$(BENCH_DIR)/record_floor.bpf.o: tests/bench/record_floor.bpf.c bpf/kernel_types.h | $(BENCH_DIR)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_DIR)/record_floor.skel.h: $(BENCH_DIR)/record_floor.bpf.o
	$(BPFTOOL) gen skeleton $< name record_floor_bpf > $@.tmp && mv $@.tmp $@

$(BENCH_DIR)/record_floor: tests/bench/record_floor.c tests/bench/bench_loader.h $(BENCH_DIR)/record_floor.skel.h
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -I$(BENCH_DIR) $< -lbpf -lelf -lz -o $@
