/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pq_lib.h - libpq, loaded when report --db asks for it (lazy_lib.h says
 * why it is not linked).  Calls go through pq_lib()'s table:
 * pq->PQconnectdb(...), typed like libpq-fe.h's prototypes.
 */
#ifndef MDEVVER_PQ_LIB_H
#define MDEVVER_PQ_LIB_H

#include <stddef.h>

#include <libpq-fe.h>

#include "lazy_lib.h"

/* libpq's ABI has been .so.5 since PostgreSQL 8.0 */
#define PQ_LIB_SONAME "libpq.so.5"

#define PQ_LIB_FUNCS(X)		\
	X(PQconnectdb)		\
	X(PQstatus)		\
	X(PQerrorMessage)	\
	X(PQfinish)		\
	X(PQsendQueryParams)	\
	X(PQsetSingleRowMode)	\
	X(PQgetResult)		\
	X(PQresultStatus)	\
	X(PQresultErrorMessage)	\
	X(PQgetvalue)		\
	X(PQntuples)		\
	X(PQexec)		\
	X(PQclear)

struct pq_lib {
	PQ_LIB_FUNCS(LAZY_LIB_MEMBER)
};

/* The table, loaded on the first call and kept.  NULL with err set to
 * "cannot load libpq.so.5: <dlerror>". */
const struct pq_lib *pq_lib(char *err, size_t errsz);

#endif
