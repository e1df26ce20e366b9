// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* lazy_lib.c - dlopen/dlsym with the one error wording (why: lazy_lib.h). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "lazy_lib.h"

static void say(const char *soname, char *err, size_t errsz)
{
	const char *why = dlerror();
	char esc[512];

	/* the loader's text names files found on LD_LIBRARY_PATH: escaped
	 * like any string from outside on its way to a terminal */
	why = why ? why : "unknown error";
	c_escape(esc, sizeof(esc), why, strlen(why));
	snprintf(err, errsz, "cannot load %s: %s", soname, esc);
}

void *lazy_lib_open(const char *soname, char *err, size_t errsz)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		say(soname, err, errsz);
	return h;
}

void *lazy_lib_sym(void *handle, const char *soname, const char *name,
		   char *err, size_t errsz)
{
	void *p;

	dlerror();
	p = dlsym(handle, name);
	if (!p)
		say(soname, err, errsz);
	return p;
}

void lazy_lib_close(void *handle)
{
	if (handle)
		dlclose(handle);
}
