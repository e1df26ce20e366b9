/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * unit.h - a tiny host-only unit test framework, after the kernel
 * selftests' ASSERT_*: an assertion that fails prints
 *   "  FAIL file:line name: expected X, got Y"
 * marks the current test failed and returns from the test function (so a
 * later line never runs on a value already known to be wrong).  Test
 * functions are void f(void).  RUN_TEST prints one line per test,
 * "PASS f" or "FAIL f"; unit_exit() is main's return value: 1 if any failed.
 *
 * Argument order: expected first, actual second.  Each argument is
 * evaluated exactly once.
 */
#ifndef MDEVVER_UNIT_H
#define MDEVVER_UNIT_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_cur_failed;
static int unit_any_failed;

/* Bytes shown C-style on one line (self-contained: no module needed). */
static inline void unit_print_bytes(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	fputc('"', stdout);
	for (i = 0; i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			printf("\\%c", p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			fputc(p[i], stdout);
		else
			printf("\\x%02x", p[i]);
	}
	fputc('"', stdout);
}

#define UNIT_FAIL_HEAD(name) \
	printf("  FAIL %s:%d %s: expected ", __FILE__, __LINE__, (name))

/* is_signed as the kernel's is_signed_type(), on an expression's type */
#define UNIT_SIGNED(v) (((__typeof__(v))-1) < (__typeof__(v))1)

/* A function, so the compiler sees no always-false "unsigned < 0". */
static inline int unit_neg(long long v, int is_signed)
{
	return is_signed && v < 0;
}

/* A value as its type reads it: signed or unsigned, and in hex. */
static inline void unit_print_int(unsigned long long bits, int is_signed)
{
	if (is_signed)
		printf("%lld (%#llx)", (long long)bits, bits);
	else
		printf("%llu (%#llx)", bits, bits);
}

/*
 * Integers (and enums) of any types, compared by value: no usual arithmetic
 * conversions (-1 does not equal UINT64_MAX) and so no -Wsign-compare.
 */
#define ASSERT_EQ(expected, seen, name) do {					\
	__typeof__(expected) unit_e_ = (expected);				\
	__typeof__(seen) unit_s_ = (seen);					\
	int unit_es_ = UNIT_SIGNED(unit_e_), unit_ss_ = UNIT_SIGNED(unit_s_);	\
	if ((unsigned long long)unit_e_ != (unsigned long long)unit_s_ ||	\
	    unit_neg((long long)unit_e_, unit_es_) !=				\
	    unit_neg((long long)unit_s_, unit_ss_)) {				\
		UNIT_FAIL_HEAD(name);						\
		unit_print_int((unsigned long long)unit_e_, unit_es_);		\
		fputs(", got ", stdout);					\
		unit_print_int((unsigned long long)unit_s_, unit_ss_);		\
		fputc('\n', stdout);						\
		unit_cur_failed = 1;						\
		return;								\
	}									\
} while (0)

/* C strings; NULL equals only NULL. */
#define ASSERT_STREQ(expected, seen, name) do {					\
	const char *unit_e_ = (expected);					\
	const char *unit_s_ = (seen);						\
	if (!(unit_e_ == unit_s_ ||						\
	      (unit_e_ && unit_s_ && strcmp(unit_e_, unit_s_) == 0))) {		\
		UNIT_FAIL_HEAD(name);						\
		if (unit_e_)							\
			unit_print_bytes(unit_e_, strlen(unit_e_));		\
		else								\
			fputs("NULL", stdout);					\
		fputs(", got ", stdout);					\
		if (unit_s_)							\
			unit_print_bytes(unit_s_, strlen(unit_s_));		\
		else								\
			fputs("NULL", stdout);					\
		fputc('\n', stdout);						\
		unit_cur_failed = 1;						\
		return;								\
	}									\
} while (0)

#define ASSERT_MEMEQ(expected, seen, len, name) do {				\
	const void *unit_e_ = (expected);					\
	const void *unit_s_ = (seen);						\
	size_t unit_l_ = (len);							\
	if (memcmp(unit_e_, unit_s_, unit_l_) != 0) {				\
		UNIT_FAIL_HEAD(name);						\
		unit_print_bytes(unit_e_, unit_l_);				\
		fputs(", got ", stdout);					\
		unit_print_bytes(unit_s_, unit_l_);				\
		fputc('\n', stdout);						\
		unit_cur_failed = 1;						\
		return;								\
	}									\
} while (0)

#define ASSERT_TRUE(cond, name) do {						\
	if (!(cond)) {								\
		UNIT_FAIL_HEAD(name);						\
		printf("true (%s), got false\n", #cond);			\
		unit_cur_failed = 1;						\
		return;								\
	}									\
} while (0)

#define RUN_TEST(fn) do {							\
	unit_cur_failed = 0;							\
	fn();									\
	printf("%s %s\n", unit_cur_failed ? "FAIL" : "PASS", #fn);		\
	fflush(stdout);								\
	if (unit_cur_failed)							\
		unit_any_failed = 1;						\
} while (0)

/* Capture what a function writes to a FILE * (open_memstream). */
struct unit_mem {
	FILE *f;
	char *buf;
	size_t len;
};

static inline FILE *unit_mem_open(struct unit_mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	if (!m->f) {
		perror("open_memstream");
		exit(2);
	}
	return m->f;
}

/* Ends the capture; the text stays in m->buf (NUL-terminated, m->len). */
static inline const char *unit_mem_close(struct unit_mem *m)
{
	fclose(m->f);
	m->f = NULL;
	return m->buf;
}

static inline void unit_mem_free(struct unit_mem *m)
{
	free(m->buf);
	m->buf = NULL;
}

static inline int unit_exit(void)
{
	return unit_any_failed ? 1 : 0;
}

#endif
