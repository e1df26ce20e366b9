// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* json_record.c - see json_record.h. */
#include "json_record.h"

const char *json_record_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int64_t json_record_i64(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	return json_object_get_int64(v);
}

struct json_object *json_record_parse(const char *line, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, line, (int)len);
	json_tokener_free(tok);
	if (o && (!json_object_is_type(o, json_type_object) ||
		  !json_record_str(o, "event"))) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}
