# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Extra modules a unit test links besides user/*/<module>.c (see Makefile).
UNIT_DEPS_policy_compile := policy
