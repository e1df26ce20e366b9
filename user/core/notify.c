// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * notify.c - sd_notify(3) readiness, status and watchdog (notify.h).
 *
 * Type=notify lets systemd order units after the tracer is really
 * attached (a Type=simple unit is "started" before a single probe is in
 * place, and an enforcement unit then looks active while nothing is
 * enforced yet).  The watchdog is pinged from the main loop itself, after
 * a round of draining, so a loop that hangs (a stuck sink, a deadlock)
 * stops the pings and systemd restarts the unit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "notify.h"
#include "sd_lib.h"

#define STATUS_EVERY_US 1000000ULL

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void notify_init(struct notify *n)
{
	uint64_t usec = 0;
	char why[300];

	memset(n, 0, sizeof(*n));
	n->on = getenv("NOTIFY_SOCKET") != NULL;
	if (!n->on)
		return;
	/* only a run under a Type=notify unit loads libsystemd (sd_lib.h);
	 * without it the unit never hears READY=1: said, once */
	n->sd = sd_lib(why, sizeof(why));
	if (!n->sd) {
		p_warn("NOTIFY_SOCKET is set, but %s; no notifications", why);
		n->on = false;
		return;
	}
	/* > 0: WATCHDOG_USEC is set (and WATCHDOG_PID, if set, is ours) */
	if (n->sd->sd_watchdog_enabled(0, &usec) > 0)
		n->wd_usec = usec;
}

int notify_max_wait_ms(const struct notify *n, int dflt)
{
	/* ping at half the timeout, as sd_watchdog_enabled(3) advises; the
	 * loop may sleep at most a quarter so a ping is never later than
	 * that */
	uint64_t ms = n->wd_usec / 4000;

	if (!n->wd_usec)
		return dflt;
	return ms < 1 ? 1 : ms < (uint64_t)dflt ? (int)ms : dflt;
}

static void notify_send(struct notify *n, const char *what)
{
	int err = n->sd->sd_notify(0, what);

	/* a manager that went away is no reason to stop tracing: say it once */
	if (err < 0 && n->on) {
		p_warn("sd_notify (NOTIFY_SOCKET): %s; no more notifications", strerror(-err));
		n->on = false;
	}
}

static void send_status(struct notify *n, const char *prefix, const char *status)
{
	char msg[600];

	snprintf(n->status, sizeof(n->status), "%s", status);
	snprintf(msg, sizeof(msg), "%sSTATUS=%s", prefix, n->status);
	notify_send(n, msg);
}

void notify_ready(struct notify *n, const char *status)
{
	uint64_t t = now_us();

	if (!n->on)
		return;
	send_status(n, "READY=1\n", status);
	n->next_status = t + STATUS_EVERY_US;
	if (n->wd_usec) {
		notify_send(n, "WATCHDOG=1");
		n->next_ping = t + n->wd_usec / 2;
	}
}

void notify_tick(struct notify *n, const char *status)
{
	uint64_t t;

	if (!n->on)
		return;
	t = now_us();
	if (n->wd_usec && t >= n->next_ping) {
		notify_send(n, "WATCHDOG=1");
		n->next_ping = t + n->wd_usec / 2;
	}
	if (t >= n->next_status && strcmp(status, n->status)) {
		send_status(n, "", status);
		n->next_status = t + STATUS_EVERY_US;
	}
}

void notify_status(struct notify *n, const char *status)
{
	if (n->on)
		send_status(n, "", status);
}

void notify_stopping(struct notify *n, const char *status)
{
	if (n->on)
		send_status(n, "STOPPING=1\n", status);
}
