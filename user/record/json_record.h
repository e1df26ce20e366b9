/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * json_record.h - reading back one JSON record (docs/event-schema.md) with
 * json-c, for the sinks that consume records rather than events (live
 * view, metrics).
 */
#ifndef MDEVVER_JSON_RECORD_H
#define MDEVVER_JSON_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* One line -> an object with a string "event", or NULL.  json_object_put()
 * the result. */
struct json_object *json_record_parse(const char *line, size_t len);
/* A string field, or NULL when absent or not a string. */
const char *json_record_str(struct json_object *o, const char *key);
/* An integer field, or 0 when absent. */
int64_t json_record_i64(struct json_object *o, const char *key);

#endif
