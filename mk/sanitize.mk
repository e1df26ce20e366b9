# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# mk/sanitize.mk - sanitizer builds; included by the top-level Makefile.
#
#   make sanitize   the binary and every unit test built with ASan+UBSan
#                   (no recovery: the first report aborts) in build/asan/
#
# The same rules as the normal build, run by a sub-make with another BUILD
# and CFLAGS (CFLAGS reaches the compile and the link lines), so the two
# builds never share an object.  tests/sanitize/run.sh runs the unit and
# host suites against it; tests/sanitize/valgrind.sh runs valgrind over the
# normal build (valgrind and ASan do not mix).

SAN_BUILD  ?= $(BUILD)/asan
# The runtimes linked statically: with gcc's shared libasan and libubsan
# both loaded, UBSan ignores log_path and reports only to stderr, where a
# test that captures the tracer's stderr would hide it (tests/sanitize/run.sh
# reads the reports from log files).
SAN_CFLAGS ?= -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	      -fno-omit-frame-pointer -static-libasan -static-libubsan

.PHONY: sanitize

# gcc: its libasan/libubsan come with the compiler Debian installs
sanitize:
	@$(MAKE) --no-print-directory BUILD=$(SAN_BUILD) CC=gcc \
		CFLAGS='$(SAN_CFLAGS)' all unit
