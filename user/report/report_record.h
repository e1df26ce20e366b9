/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * report_record.h - one audit-log line (docs/event-schema.md) as the fields
 * the report uses.  Strings come back as the bytes they stand for (each
 * code point U+0000..U+00FF is one byte), so a NUL in a version string is
 * kept and compared exactly.
 */
#ifndef MDEVVER_REPORT_RECORD_H
#define MDEVVER_REPORT_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report_tally.h"

enum report_kind {
	REC_CHECK,
	REC_READ,
	REC_LOST,
	REC_DROPPED,
	REC_LIFECYCLE,	/* a device's lifecycle step: only counted */
	REC_MIGRATION,	/* one device session's migration (report_migrations.h) */
	REC_OTHER,	/* start, end, and kinds added later: only counted */
};

/* Length of a normalized time: 2026-11-23T21:17:07.123456789Z */
#define REPORT_TIME_LEN TALLY_TIME_LEN	/* 30 */

/* The fields of a "migration" record the report uses. */
struct report_mig_fields {
	struct bstr device, role, path, errno_name, vm, peer_device;
	uint64_t session, peer_session;		/* peer_session 0: none */
	uint64_t stopped_ns;
	bool has_bytes;
	uint64_t bytes;
	char started[REPORT_TIME_LEN + 1];	/* normalized */
};

struct report_record {
	enum report_kind kind;
	struct bstr host;
	/* identity (docs/event-schema.md): has_id only when all four are
	 * there and well-formed; a log from before identity has none */
	bool has_id;
	bool is_end;			/* an "end" record: the run's last seq */
	uint8_t host_id[16], boot_id[16], run_id[16];
	uint64_t seq;
	char time[REPORT_TIME_LEN + 1];	/* normalized: compares as text */
	/* check and read */
	uint64_t count;			/* calls the record stands for (>= 1) */
	struct bstr mdev_type;		/* empty when null */
	struct bstr bytes;
	struct bstr outcome;
	/* check */
	struct bstr comm;
	bool has_rule;
	struct bstr rule;
	/* lost ("lost") and dropped ("dropped") */
	uint64_t lost;
	/* migration: its mdev type in mdev_type ("type"), outcome in outcome */
	struct report_mig_fields mig;
};

/*
 * RFC 3339 UTC, "2026-11-23T21:17:07[.f]Z" with 0..9 fraction digits, to
 * the fixed 9-digit form (then text order is time order).  0, or -1 for
 * anything else.  Also what --since/--until take.
 */
int report_normalize_time(const char *s, size_t len, char out[REPORT_TIME_LEN + 1]);

struct report_parser;

struct report_parser *report_parser_new(void);
void report_parser_free(struct report_parser *p);

/*
 * Parse one line (without its '\n').  Returns 0 with *rec filled (its
 * strings are valid until the next call), 1 for a blank line (not a
 * record), or -1 when the line is not a usable record: *why then says why
 * ("not a JSON record", "check record: missing or invalid \"bytes\"", ...),
 * valid until the next call.
 */
int report_parse_line(struct report_parser *p, const char *line, size_t len,
		      struct report_record *rec, const char **why);

#endif
