# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# mdevver-trace build.  The two commands a newcomer needs:
#   make demo    the tracer on the simulated vGPU inside a VM
#   make check   everything: deps, build, unit tests, VM tests, host tests
#
# Nothing here reads the build machine's running kernel: the BPF object is
# built against bpf/kernel_types.h (CO-RE), not a vmlinux.h dumped from it.

BUILD      ?= build
CLANG      ?= clang
BPFTOOL    ?= bpftool
CC         ?= gcc
ARCH       := x86
# Debian's include directory name (x86_64-linux-gnu): -print-multiarch, which
# gcc and clang agree on (clang -dumpmachine says x86_64-pc-linux-gnu)
MULTIARCH  := $(shell $(CC) -print-multiarch)

WARN        := -Wall -Wextra -Werror
CFLAGS      ?= -O2 -g
# user/<subsystem>/: cmd core record sinks enforce report (README "Where things are")
USER_DIRS   := $(sort $(dir $(wildcard user/*/*.c)))
# libpq's header lives in /usr/include/postgresql (report --db)
USER_INC    := -Iinclude $(patsubst %/,-I%,$(USER_DIRS)) -I$(BUILD) -I/usr/include/postgresql
USER_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) $(USER_INC)
# -mcpu=v3: BPF atomics (cmpxchg) for the judgement slots; kernels >= 5.12
BPF_CFLAGS  := -g -O2 $(WARN) -Wno-unused-parameter -target bpf -mcpu=v3 \
	       -D__TARGET_ARCH_$(ARCH) -Iinclude -Ibpf -I/usr/include/$(MULTIARCH)
# libmicrohttpd (--metrics), libpq (report --db) and libsystemd (--journal,
# NOTIFY_SOCKET) are not linked: dlopen'ed when their option is used
# (user/core/lazy_lib.h), so the other runs do not map them and their TLS,
# Kerberos and compression libraries (~5.5 MiB RSS, gnutls' constructor)
LDLIBS      := -lbpf -lelf -lz -ljson-c -lncursesw -lpthread -lcap-ng

BIN        := $(BUILD)/mdevver-trace
BPF_OBJ    := $(BUILD)/mdevver_trace.bpf.o
SKEL       := $(BUILD)/mdevver_trace.skel.h
USER_SRCS  := $(wildcard user/*/*.c)
USER_OBJS  := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
HEADERS    := $(wildcard include/*.h user/*/*.h)
SKEL_USERS := $(shell grep -l 'skel\.h' user/*/*.c)

# Host unit tests: every tests/unit/test_<module>.c, built with user/*/<module>.c
# (and what tests/unit/deps.mk adds).  Found by wildcard, so a new test file
# can never be left out of the run.
UNIT_MODULES := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS    := $(patsubst %,$(BUILD)/unit/test_%,$(UNIT_MODULES))
vpath %.c $(USER_DIRS)

.PHONY: all deps check demo bench unit lint clean install uninstall

PREFIX     ?= /usr/local
DESTDIR    ?=
SBINDIR    := $(PREFIX)/sbin
MANDIR     := $(PREFIX)/share/man
# A package (PREFIX=/usr) ships its units in /usr/lib/systemd/system and
# leaves /etc/systemd/system to the admin; a local install (/usr/local,
# which systemd does not read) puts them in /etc.  logrotate reads /etc only.
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/lib/systemd/system,/etc/systemd/system)
LOGROTDIR  ?= /etc/logrotate.d
DOCDIR     := $(PREFIX)/share/doc/mdevver-trace
EXAMPLEDIR := $(DOCDIR)/examples
# bash-completion loads completions/<command> on first use
COMPLDIR   ?= $(PREFIX)/share/bash-completion/completions
# what the man page and the helps point to; docs/ stays docs/ under DOCDIR
# so README's links hold there too
DOCS       := docs/event-schema.md docs/policy.md docs/privileges.md \
	      docs/delivery.md docs/report.md docs/metrics.md docs/fleet.md
POLICYDIR  ?= /etc/mdevver-trace
# Prometheus alert rules: data a site's prometheus.yml names in rule_files
DATADIR    := $(PREFIX)/share/mdevver-trace

all: $(BIN)

$(BUILD) $(BUILD)/unit:
	@mkdir -p $@

# The object embedded in the binary is the one bpftool's static linker
# writes: it keeps what libbpf reads (.BTF, .BTF.ext for CO-RE and line
# info) and drops the DWARF (-g) and .BTF.ext's relocations, which libbpf
# never uses: 1.3 MB -> 0.7 MB, in a binary read at every exec (over 9p in
# the test guests).
$(BPF_OBJ): bpf/mdevver_trace.bpf.c $(wildcard bpf/*.h) include/mdevver_trace.h include/mdevver_enforce.h | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $(@:.o=.unlinked.o)
	$(BPFTOOL) gen object $@ $(@:.o=.unlinked.o)

$(SKEL): $(BPF_OBJ)
	$(BPFTOOL) gen skeleton $< name mdevver_trace_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/user/%.o: user/%.c $(HEADERS) $(SKEL)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -c $< -o $@

$(BIN): $(USER_OBJS)
	$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# A test links its module plus the modules tests/unit/deps.mk names for it
# (UNIT_DEPS_<module>), e.g. the compiler's tests parse policies first.
-include tests/unit/deps.mk
.SECONDEXPANSION:
$(BUILD)/unit/test_%: tests/unit/test_%.c $$(wildcard user/*/$$*.c) $$(foreach m,$$(UNIT_DEPS_$$*),$$(wildcard user/*/$$(m).c)) tests/unit/unit.h $(HEADERS) | $(BUILD)/unit
	$(CC) $(USER_CFLAGS) $(filter %.c,$^) $(UNIT_LDLIBS_$*) -o $@

unit: $(UNIT_BINS)

# user-space cost per record of the record pipeline (tests/bench/pipeline_bench.c)
PIPELINE_BENCH_SRCS := tests/bench/pipeline_bench.c $(foreach m,record from_event node_cache sysfs_path json_fmt text_fmt escape decode outcome pipeline stdout_sink audit_log metrics mhd_lib lazy_lib,$(wildcard user/*/$(m).c))
$(BUILD)/pipeline_bench: $(PIPELINE_BENCH_SRCS) $(HEADERS) | $(BUILD)
	$(CC) $(USER_CFLAGS) $(PIPELINE_BENCH_SRCS) -lpthread -o $@

# write paths the enforcement tests need beyond Python (io_uring, a race)
WRITERS := $(BUILD)/writers
$(WRITERS): tests/vm/writers.c | $(BUILD)
	$(CC) $(USER_CFLAGS) -pthread $< -o $@

# floods of checks and reads for the delivery tests and the flood benchmark
FLOOD := $(BUILD)/flood
$(FLOOD): tests/vm/flood.c | $(BUILD)
	$(CC) $(USER_CFLAGS) $< -o $@

# drives VFIO migrations of mdev devices like QEMU (the mtty tests)
VFIO_MIGRATE := $(BUILD)/vfio_migrate
$(VFIO_MIGRATE): tests/vm/vfio_migrate.c | $(BUILD)
	$(CC) $(USER_CFLAGS) $< -o $@

# Installs every Debian package the build, the tests and the demo need;
# does nothing when they are all present.
deps:
	@scripts/deps.sh

check: deps
	@$(MAKE) --no-print-directory all unit bpf-tests $(WRITERS) $(FLOOD) $(VFIO_MIGRATE)
	@tests/run_all.sh

demo: deps
	@$(MAKE) --no-print-directory all $(BUILD)/vfio_migrate
	@tests/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/pipeline_bench
	@tests/bench.sh

# Static analysis of user space.  cppcheck does not read libbpf's headers
# (system headers), so its iterator macros are "unknown" to it: suppressed.
lint: $(SKEL)
	clang-tidy --quiet $(filter-out $(SKEL_USERS),$(USER_SRCS)) -- -std=gnu11 $(USER_INC)
	@# bpftool's generated skeleton stores its calloc'ed descriptor in
	@# obj->skeleton, freed by __destroy(): the analyzer reports a leak there
	clang-tidy --quiet --checks=-clang-analyzer-unix.Malloc $(SKEL_USERS) -- -std=gnu11 $(USER_INC)
	cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
		--std=c11 $(USER_INC) --suppress=missingIncludeSystem \
		--suppress=unknownMacro --inline-suppr $(USER_SRCS)

install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/mdevver-trace
	install -D -m 0644 docs/mdevver-trace.8 $(DESTDIR)$(MANDIR)/man8/mdevver-trace.8
	install -d -m 0755 $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|' dist/mdevver-trace.service > $(DESTDIR)$(UNITDIR)/mdevver-trace.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/mdevver-trace.service
	install -D -m 0644 dist/mdevver-trace.logrotate $(DESTDIR)$(LOGROTDIR)/mdevver-trace
	sed 's|@SBINDIR@|$(SBINDIR)|; s|@POLICYDIR@|$(POLICYDIR)|' dist/mdevver-trace-enforce.service \
		> $(DESTDIR)$(UNITDIR)/mdevver-trace-enforce.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/mdevver-trace-enforce.service
	install -d -m 0755 $(DESTDIR)$(EXAMPLEDIR)
	install -m 0644 examples/policies/*.policy $(DESTDIR)$(EXAMPLEDIR)/
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	install -d -m 0755 $(DESTDIR)$(DOCDIR)/docs
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/docs/
	install -D -m 0644 dist/mdevver-trace.bash-completion $(DESTDIR)$(COMPLDIR)/mdevver-trace
	install -D -m 0644 dist/prometheus/mdevver-trace.rules.yml \
		$(DESTDIR)$(DATADIR)/prometheus/mdevver-trace.rules.yml
	@# fleet shipping (docs/fleet.md): examples to copy and edit, not
	@# live configs: rsyslog would start forwarding to a placeholder host
	install -d -m 0755 $(DESTDIR)$(EXAMPLEDIR)/rsyslog $(DESTDIR)$(EXAMPLEDIR)/postgresql
	install -m 0644 dist/rsyslog/mdevver-trace-host.conf dist/rsyslog/mdevver-trace-collector.conf \
		$(DESTDIR)$(EXAMPLEDIR)/rsyslog/
	install -m 0644 dist/postgresql/mdevver-trace.sql $(DESTDIR)$(EXAMPLEDIR)/postgresql/
	@# the policy the enforce unit reads: root-owned, not group/other
	@# writable (enforce refuses anything else); never overwrite one
	install -d -m 0755 $(DESTDIR)$(POLICYDIR)
	test -e $(DESTDIR)$(POLICYDIR)/site.policy || \
		install -m 0644 examples/policies/site.policy $(DESTDIR)$(POLICYDIR)/site.policy

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/mdevver-trace $(DESTDIR)$(MANDIR)/man8/mdevver-trace.8 \
	      $(DESTDIR)$(UNITDIR)/mdevver-trace.service $(DESTDIR)$(LOGROTDIR)/mdevver-trace \
	      $(DESTDIR)$(UNITDIR)/mdevver-trace-enforce.service \
	      $(DESTDIR)$(COMPLDIR)/mdevver-trace
	rm -rf $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DATADIR)
	@echo "kept $(DESTDIR)$(POLICYDIR) (your policy)"

clean:
	rm -rf $(BUILD)

# mk/*.mk: the VM test bed (vm.mk), fuzzing (fuzz.mk), sanitizer builds (sanitize.mk),
# BPF programs tested on their own (bpftest.mk), the benchmark tools (bench.mk)
-include $(sort $(wildcard mk/*.mk))
