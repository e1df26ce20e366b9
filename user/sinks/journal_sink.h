/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * journal_sink.h - every record to the systemd journal (--journal) as
 * structured fields: MESSAGE is the text output's line, MDEVVER_* the
 * record's keys, PRIORITY as the audit log gives syslog
 * (docs/event-schema.md "Journal fields"), so that
 * `journalctl MDEVVER_OUTCOME=incompatible` finds the checks.
 */
#ifndef MDEVVER_JOURNAL_SINK_H
#define MDEVVER_JOURNAL_SINK_H

#include <stddef.h>

#include "sink.h"

/* Loads libsystemd (sd_lib.h); NULL with err set when it cannot be loaded
 * or memory is out.  Nothing is opened: sd_journal_sendv connects per
 * call, and a journal that is not there costs only the records. */
struct sink *journal_sink_new(char *err, size_t errsz);

#endif
