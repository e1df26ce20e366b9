/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * stdout_sink.h - records as text columns or JSON Lines on a stream
 * (stdout), buffered and written out at the end of each poll round.
 */
#ifndef MDEVVER_STDOUT_SINK_H
#define MDEVVER_STDOUT_SINK_H

#include <stdbool.h>
#include <stdio.h>

#include "sink.h"

/*
 * json: JSON Lines (docs/event-schema.md); else text columns, the header
 * line printed when the start record passes.  verbose (text): the path and
 * ids line, and the vendor line, after each event.  Records are buffered
 * and written to out at pipeline_flush (or when 64 KiB are pending); the
 * pipeline owns the sink (pipeline_free flushes and frees it).  NULL on
 * ENOMEM.
 */
struct sink *stdout_sink_new(FILE *out, bool json, bool verbose);

#endif
