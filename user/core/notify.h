/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * notify.h - telling the service manager how the tracer is doing
 * (sd_notify(3), libsystemd loaded only then: sd_lib.h): READY=1 once attached and the start record
 * is written, STATUS= lines, WATCHDOG=1 from the main loop when the unit
 * has WatchdogSec= (WATCHDOG_USEC), STOPPING=1 at the end.  Without
 * NOTIFY_SOCKET (not started by systemd as Type=notify) every call does
 * nothing.
 */
#ifndef MDEVVER_NOTIFY_H
#define MDEVVER_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

struct sd_lib;

struct notify {
	bool on;		/* NOTIFY_SOCKET is set (and libsystemd loaded) */
	const struct sd_lib *sd;	/* sd_lib.h: loaded only when on */
	uint64_t wd_usec;	/* watchdog timeout; 0: none */
	uint64_t next_ping;	/* CLOCK_MONOTONIC us of the next WATCHDOG=1 */
	uint64_t next_status;	/* ... of the next STATUS= (when it changed) */
	char status[512];	/* the last one sent */
};

/* Read the environment (NOTIFY_SOCKET, WATCHDOG_USEC/WATCHDOG_PID). */
void notify_init(struct notify *n);

/* The longest the main loop may sleep between two notify_tick calls, in
 * ms, so that a watchdog ping is never late: dflt without a watchdog. */
int notify_max_wait_ms(const struct notify *n, int dflt);

/* Attached, sinks open, the start record written: READY=1 with status. */
void notify_ready(struct notify *n, const char *status);

/* From the main loop, every round: WATCHDOG=1 when due; status (what the
 * tracer is doing now) at most once a second, and only when it changed. */
void notify_tick(struct notify *n, const char *status);

/* A status now (a policy reload, ...). */
void notify_status(struct notify *n, const char *status);

/* The loop ended: STOPPING=1 with status (the final drain follows). */
void notify_stopping(struct notify *n, const char *status);

#endif
