/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * log.h - the one way the tool reports to people: one line on stderr,
 * "mdevver-trace: <message>".  Tests match these lines; keep the wording.
 */
#ifndef MDEVVER_LOG_H
#define MDEVVER_LOG_H

/* An error: what failed and, where it helps, what to do. */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Something the user should know, tracing goes on. */
void p_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress and summaries (the banner, the exit summary). */
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
