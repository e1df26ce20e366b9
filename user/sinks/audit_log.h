/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * audit_log.h - the audit-log sink: JSON Lines records (docs/event-schema.md)
 * written whole to a file with size rotation, reopen on SIGUSR1
 * (logrotate), a flush policy, and loss accounting when the disk is full;
 * optionally each record to syslog too.  Records arrive through the sink
 * interface (audit_log_sink) and are written in batches of whole records.
 */
#ifndef MDEVVER_AUDIT_LOG_H
#define MDEVVER_AUDIT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sink.h"

/* How records reach the file (see audit_log.c for the full story). */
enum audit_flush {
	AUDIT_FLUSH_NONE,	/* no sync: page cache (same as LINE today) */
	AUDIT_FLUSH_LINE,	/* default: whole records, one write(2) per poll
				 * round (or per 64 KiB), no sync */
	AUDIT_FLUSH_FSYNC,	/* write(2) then fdatasync(2) per record */
};

struct audit_log_options {
	const char *path;	/* NULL: no file (syslog only) */
	uint64_t max_size;	/* rotate before a record would pass it; 0: never */
	unsigned int max_files;	/* backups kept: FILE.1 (newest) .. FILE.N */
	enum audit_flush flush;
	bool syslog;		/* also send check/read/lost/dropped records to
				 * syslog (LOG_DAEMON; LOG_WARNING for checks
				 * not "compatible", lost, dropped; else
				 * LOG_INFO) */
};

struct audit_log;

/* Parse "none", "line", "fsync"; -1 if unknown. */
int audit_flush_parse(const char *s);

/* Opens (creates with mode 0600, appends; an existing file is tightened to
 * 0600; a symbolic link is refused) the file.  On failure returns NULL and
 * writes a one-line reason into err (strerror and a hint, no path). */
struct audit_log *audit_log_open(const struct audit_log_options *opt,
				 char *err, size_t errsz);

/*
 * The sink of log (embedded in it, not a separate object): takes every
 * record (its JSON from pipeline_json), buffers whole records, writes them
 * at pipeline_flush.  Its close op only flushes: audit_log_close frees the
 * log, after pipeline_free.
 */
struct sink *audit_log_sink(struct audit_log *log);

/*
 * One complete record: line[0..len) ends with '\n' (the sink calls this).
 * Buffered until audit_log_flush (or 64 KiB pending; --flush fsync: written
 * and synced at once).  Never blocks tracing on a full disk: a record that
 * cannot be written is counted, and once writing works again a "dropped"
 * record with the count goes first.
 */
void audit_log_record(struct audit_log *log, const char *line, size_t len);

/* Write what is buffered (the sink's flush op: the end of a poll round). */
void audit_log_flush(struct audit_log *log);

/* Reopen the file by name (buffered records go to the old file first) (after logrotate moved it).  Async-signal code
 * must not call this: the caller sets a flag in the handler and calls it
 * from the main loop. */
void audit_log_reopen(struct audit_log *log);

/* Records that could not be written since start. */
uint64_t audit_log_dropped(const struct audit_log *log);

/* Flushes, closes and frees. */
void audit_log_close(struct audit_log *log);

/*
 * The syslog priority (LOG_*) of a record: LOG_WARNING for a check that
 * was not compatible, a loss, a failed lifecycle step or migration,
 * LOG_INFO otherwise; -1 for kinds syslog does not get (start, end,
 * enforce).  The one mapping: the journal sink uses it too.
 */
int audit_log_priority(const struct record *r);

#endif
