/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * json_record.h - one JSON Lines record (docs/event-schema.md) back into a
 * struct record, for `top --replay`.  The only JSON parsing outside
 * `report`: the live path never parses what this process wrote.
 */
#ifndef MDEVVER_JSON_RECORD_H
#define MDEVVER_JSON_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

struct json_record_parser;

struct json_record_parser *json_record_parser_new(void);
void json_record_parser_free(struct json_record_parser *p);

enum json_record_result {
	JSON_RECORD_MALFORMED = -1,	/* not a JSON object with a string "event" */
	JSON_RECORD_OK = 0,		/* *r holds the record */
	JSON_RECORD_OTHER = 1,		/* a record struct record has no kind for:
					 * "dropped" (json_record_dropped),
					 * "lifecycle" (joined into "migration",
					 * which is read) or a newer kind; *r is
					 * not valid */
};

/*
 * Parse line[0..len) (a trailing '\n' is allowed).  Strings in *r stay
 * valid until the next call on p or json_record_parser_free.  Byte strings
 * (every string the tracer writes: each code point U+0000..U+00FF is one
 * byte) are turned back into those bytes; a missing "count" is 1.
 */
enum json_record_result json_record_parse(struct json_record_parser *p,
					  const char *line, size_t len,
					  struct record *r);

/* After JSON_RECORD_OTHER: the "event" name, and "dropped" of a dropped
 * record (0 for other kinds). */
const char *json_record_event(const struct json_record_parser *p);
uint64_t json_record_dropped(const struct json_record_parser *p);

#endif
