// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * audit_log.c - the audit-log sink (see audit_log.h).
 *
 * The invariant: a reader of FILE never sees part of a record, except the
 * last line right after a kill -9.  Records are appended to a buffer of
 * WHOLE records and go out with one write(2) of that buffer on an O_APPEND
 * fd at the end of each poll round (audit_log_flush, the sink's flush op)
 * or when 64 KiB are pending -- one syscall per round instead of one per
 * record, which under load was a large share of the tracer's time.  A crash
 * of this process loses at most the records of the current round (they
 * were never on disk, and never half on disk).  The kernel copies a write
 * page by page and gives up between pages on SIGKILL, so the last record
 * of a batch can be cut (seen in tests): the next open removes such a
 * fragment (drop_partial_tail) and says so.  A write cut short by a full
 * disk keeps the records it wrote whole and is cut back at once to the
 * last of them (ftruncate); the rest are counted as dropped.
 *
 * Rotation is decided per record, before it is buffered: when the record
 * would take FILE past --max-size, what is buffered is written first, then
 * FILE is rotated, so every file ends on a record boundary as before.
 *
 * --flush, honestly:
 *   none   the same as line (kept for the command line).
 *   line   the default: whole records, one write(2) per poll round (at most
 *          MDEVVER_POLL_MS behind), no sync: in the page cache, visible to
 *          readers, lost if the machine dies before writeback (~30 s).
 *   fsync  each record written (write(2)) and synced (fdatasync(2)) as it
 *          arrives: on stable storage once audit_log_record returns, at the
 *          price of one disk flush each (~2000 records/s on a virtio ext4
 *          disk).  Batching would sync less often, but then "fsync" would
 *          no longer mean "this record is durable when it is reported".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "audit_log.h"
#include "escape.h"
#include "strbuf.h"
#include "file_kind.h"

#define AUDIT_BATCH_MAX (64 * 1024)

struct audit_log {
	struct sink sink;	/* first: the sink interface (audit_log_sink) */
	char *path;		/* NULL: syslog only */
	char *host_json;	/* host name as a JSON string literal */
	int fd;			/* -1 while the file cannot be opened */
	bool regular;		/* rotation and truncation only for files */
	char refusal[160];	/* why open_file refused FILE (E_AUDIT_*) */
	uint64_t size;		/* bytes in FILE, for rotation */
	uint64_t max_size;
	unsigned int max_files;
	enum audit_flush flush;
	bool syslog;
	bool failing;		/* in a streak of failed writes: told once */
	bool sync_failing;	/* the same for fdatasync and for rotation */
	bool rotate_failing;
	uint64_t pending;	/* dropped since the last "dropped" record */
	uint64_t total_dropped;
	/* the batch: whole records, ends[i] the end of record i in buf */
	struct strbuf buf;
	size_t *ends;
	size_t n_recs, cap_recs;
	/* record 0 of the batch is the "dropped" record for this many */
	bool marker;
	uint64_t marker_count;
};

int audit_flush_parse(const char *s)
{
	if (!strcmp(s, "none"))
		return AUDIT_FLUSH_NONE;
	if (!strcmp(s, "line"))
		return AUDIT_FLUSH_LINE;
	if (!strcmp(s, "fsync"))
		return AUDIT_FLUSH_FSYNC;
	return -1;
}

/*
 * A SIGKILL can cut one record short: the kernel copies a write(2) into the
 * page cache a page at a time and gives up between pages when a fatal
 * signal is pending (generic_perform_write), so a record that straddles a
 * page boundary may end half-written.  Only the last line can be affected;
 * cut it back to the last newline before appending, and say so.
 */
static void drop_partial_tail(struct audit_log *log, int fd, off_t size)
{
	char buf[4096];
	off_t end = size, keep = 0;

	if (size <= 0 || pread(fd, buf, 1, size - 1) != 1 || buf[0] == '\n')
		return;
	while (end > 0 && !keep) {
		off_t from = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf) : 0;
		ssize_t n = pread(fd, buf, end - from, from);

		if (n <= 0)
			return;
		for (ssize_t i = n - 1; i >= 0; i--) {
			if (buf[i] == '\n') {
				keep = from + i + 1;
				break;
			}
		}
		end = from;
	}
	if (ftruncate(fd, keep))
		return;
	fprintf(stderr, "mdevver-trace: audit log %s: removed an incomplete last "
		"record (%lld bytes) left by an earlier crash\n", log->path,
		(long long)(size - keep));
}

/* open_file's refusals, beyond any errno (text in open_error) */
#define E_AUDIT_NOT_REGULAR 4096	/* a FIFO, a device, a directory, ... */
#define E_AUDIT_NOT_LOG 4097		/* a file that is not an audit log */

/*
 * Is the file on fd (size bytes) an audit log of this tool?  Empty, or its
 * first line starts the way every record this tool writes starts:
 * {"schema":N,"event":"   (json_fmt.c writes these two keys first).
 * Anything else is not ours to append to, chmod or cut back.
 */
static bool is_audit_log(int fd, off_t size)
{
	static const char head[] = "{\"schema\":";
	char buf[64];
	ssize_t n;
	size_t i = sizeof(head) - 1;

	if (size == 0)
		return true;
	n = pread(fd, buf, sizeof(buf), 0);
	if (n < (ssize_t)sizeof(head) || memcmp(buf, head, sizeof(head) - 1))
		return false;
	if (i >= (size_t)n || buf[i] < '0' || buf[i] > '9')
		return false;
	while (i < (size_t)n && buf[i] >= '0' && buf[i] <= '9')
		i++;
	/* the digits may run to the end of what was read: i <= n */
	return i + 10 <= (size_t)n && !memcmp(buf + i, ",\"event\":\"", 10);
}


/* Open FILE by name; returns the fd or -errno (or -E_AUDIT_*). */
static int open_file(struct audit_log *log)
{
	struct stat st;
	/* O_NOFOLLOW: root appending to (and chmod'ing) whatever a symlink
	 * planted at FILE points to would be a gift to an attacker.
	 * O_NONBLOCK: a FIFO must not block the open (it is refused below,
	 * never written: a FIFO without a reader would stop the tracer). */
	int fd = open(log->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC |
		      O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0600);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		int err = errno;

		close(fd);
		return -err;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(log->refusal, sizeof(log->refusal), "not a regular file (%s)",
			 file_kind(st.st_mode));
		close(fd);
		return -E_AUDIT_NOT_REGULAR;
	}
	/* an existing file that is not a log of ours is left as it is */
	if (!is_audit_log(fd, st.st_size)) {
		snprintf(log->refusal, sizeof(log->refusal), "exists and is not an "
			 "mdevver-trace audit log (its first line is not a record); "
			 "refusing to append to it");
		close(fd);
		return -E_AUDIT_NOT_LOG;
	}
	/* The mode argument only applies when open creates the file: an
	 * existing log readable by others (an old run) is tightened to 0600,
	 * since the records name processes and users. */
	if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600)) {
		int err = errno;

		close(fd);
		return -err;
	}
	log->regular = true;
	drop_partial_tail(log, fd, st.st_size);
	if (fstat(fd, &st))
		st.st_size = 0;
	log->size = (uint64_t)st.st_size;
	return fd;
}

/* The text of open_file's -fd. */
static const char *open_error(const struct audit_log *log, int err)
{
	return err >= E_AUDIT_NOT_REGULAR ? log->refusal : strerror(err);
}

static const char *open_hint(int err)
{
	switch (err) {
	case ENOENT:
		return " (the directory must exist)";
	case ELOOP:
		return " (it is a symbolic link: give the file's real path)";
	case EACCES:
	case EROFS:
		return " (choose a writable location)";
	default:
		return "";
	}
}

struct audit_log *audit_log_open(const struct audit_log_options *opt,
				 char *err, size_t errsz)
{
	struct audit_log *log = calloc(1, sizeof(*log));
	char host[256] = "";
	size_t host_len = 0;
	FILE *mem;

	if (!log)
		goto nomem;
	log->fd = -1;
	log->max_size = opt->max_size;
	log->max_files = opt->max_files ? opt->max_files : 1;
	log->flush = opt->flush;
	log->syslog = opt->syslog;
	/* escaped once here, not on every "dropped" record */
	gethostname(host, sizeof(host) - 1);
	mem = open_memstream(&log->host_json, &host_len);
	if (!mem)
		goto nomem;
	json_write_string(mem, host, strlen(host));
	if (fclose(mem))
		goto nomem;
	if (opt->path) {
		log->path = strdup(opt->path);
		if (!log->path)
			goto nomem;
		log->fd = open_file(log);
		if (log->fd < 0) {
			snprintf(err, errsz, "%s%s", open_error(log, -log->fd),
				 open_hint(-log->fd));
			audit_log_close(log);
			return NULL;
		}
	}
	if (log->syslog)
		openlog("mdevver-trace", LOG_PID, LOG_DAEMON);
	return log;
nomem:
	snprintf(err, errsz, "%s", strerror(ENOMEM));
	audit_log_close(log);
	return NULL;
}

/* First failure of a streak: one line; the rest are only counted. */
static void report_failure(struct audit_log *log, int err)
{
	if (log->failing)
		return;
	log->failing = true;
	fprintf(stderr, "mdevver-trace: audit log %s: %s: records are counted "
		"until writing works again\n", log->path, open_error(log, err));
}

/* A rename during rotation failed: said once until a rotation works. */
static void report_rename(struct audit_log *log, const char *from,
			  const char *to, const char *consequence)
{
	if (!log->rotate_failing)
		fprintf(stderr, "mdevver-trace: audit log rotation: rename %s to "
			"%s: %s; %s\n", from, to, strerror(errno), consequence);
	log->rotate_failing = true;
}

/* Rotate FILE -> FILE.1 -> ... -> FILE.max_files (renaming onto the last
 * one deletes the oldest), then open a fresh FILE. */
static void rotate(struct audit_log *log)
{
	size_t sz = strlen(log->path) + 16;
	char *from = malloc(sz), *to = malloc(sz);
	struct stat by_name, by_fd;
	int fd;

	if (!from || !to)
		goto out;
	/* If FILE is no longer our file (moved away, SIGUSR1 not yet seen),
	 * renaming it would push someone else's file into our backups. */
	if (!stat(log->path, &by_name) && !fstat(log->fd, &by_fd) &&
	    by_name.st_dev == by_fd.st_dev && by_name.st_ino == by_fd.st_ino) {
		bool ok = true;

		for (unsigned int i = log->max_files; i > 1; i--) {
			snprintf(from, sz, "%s.%u", log->path, i - 1);
			snprintf(to, sz, "%s.%u", log->path, i);
			if (rename(from, to) && errno != ENOENT) {
				report_rename(log, from, to, "older backups may be lost");
				ok = false;
			}
		}
		snprintf(to, sz, "%s.1", log->path);
		if (rename(log->path, to)) {
			/* keep appending past --max-size rather than lose records */
			report_rename(log, log->path, to, "the log grows past --max-size");
			goto out;
		}
		log->rotate_failing = !ok;
	}
	close(log->fd);
	fd = open_file(log);
	log->fd = fd < 0 ? -1 : fd;
	if (fd < 0)
		report_failure(log, -fd);
out:
	free(from);
	free(to);
}

/*
 * One write(2) of buf[0..len) (more only if the kernel takes part of it);
 * 0 or an errno, and *done the bytes that reached the file.
 */
static int write_all(struct audit_log *log, const char *buf, size_t len,
		     size_t *done)
{
	*done = 0;
	if (log->fd < 0) {
		int fd = open_file(log);

		if (fd < 0)
			return -fd;
		log->fd = fd;
	}
	while (*done < len) {
		ssize_t n = write(log->fd, buf + *done, len - *done);

		if (n > 0) {
			*done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? errno : EIO;
	}
	return 0;
}

static void sync_file(struct audit_log *log)
{
	if (log->flush != AUDIT_FLUSH_FSYNC)
		return;
	if (fdatasync(log->fd)) {
		/* the records are in the file (readers see them), so they are
		 * not counted as dropped; say once that they may not be durable */
		if (!log->sync_failing)
			fprintf(stderr, "mdevver-trace: audit log %s: fdatasync: %s: "
				"records may not be on stable storage\n",
				log->path, strerror(errno));
		log->sync_failing = true;
	} else {
		log->sync_failing = false;
	}
}

/* LOG_* priority for a record, or -1 for kinds not sent (start, end).  The
 * line comes from json_fmt.c: "event" is its second key, and the text
 * ,"outcome":" cannot occur inside a JSON string value (quotes in values
 * are escaped as \"), so plain substring search is exact here. */
static int syslog_priority(const char *line, size_t len)
{
	static const char ev[] = "\"event\":\"";
	static const char ok[] = ",\"outcome\":\"compatible\"";
	const char *p = memmem(line, len, ev, sizeof(ev) - 1);
	size_t rest;

	if (!p)
		return -1;
	p += sizeof(ev) - 1;
	rest = len - (size_t)(p - line);
#define IS(kind) (rest >= sizeof(kind) && !memcmp(p, kind "\"", sizeof(kind)))
	if (IS("check"))
		return memmem(line, len, ok, sizeof(ok) - 1) ? LOG_INFO : LOG_WARNING;
	if (IS("read"))
		return LOG_INFO;
	if (IS("lost") || IS("dropped"))
		return LOG_WARNING;
#undef IS
	return -1;
}

static void to_syslog(const char *line, size_t len, int prio)
{
	if (prio < 0)
		return;
	if (len && line[len - 1] == '\n')
		len--;
	syslog(prio, "%.*s", (int)len, line);
}

/* The "dropped" record for the pending count (format unchanged since the
 * first release: docs/event-schema.md); its length, or -1 (ENOMEM). */
static int dropped_record(struct audit_log *log, char **rec)
{
	struct timespec rt, mono;
	struct tm tm;
	char tbuf[32];

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	gmtime_r(&rt.tv_sec, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
	return asprintf(rec, "{\"schema\":1,\"event\":\"dropped\",\"time\":\"%s.%09ldZ\","
			"\"ts_ns\":%" PRIu64 ",\"host\":%s,\"dropped\":%" PRIu64
			",\"total_dropped\":%" PRIu64 "}\n", tbuf, rt.tv_nsec,
			(uint64_t)mono.tv_sec * UINT64_C(1000000000) + (uint64_t)mono.tv_nsec,
			log->host_json, log->pending, log->total_dropped);
}

static void batch_reset(struct audit_log *log)
{
	sb_reset(&log->buf);
	log->buf.oom = false;
	log->n_recs = 0;
	log->marker = false;
	log->marker_count = 0;
}

/*
 * Write the batch.  On failure the records that reached the file whole
 * stay, a cut one is removed, and the others are counted as dropped (the
 * "dropped" record itself is not a record of the stream: if it does not
 * make it, its count simply stays pending).
 */
void audit_log_flush(struct audit_log *log)
{
	size_t done = 0, keep = 0, whole = 0;
	struct stat st;
	int err;

	if (!log->n_recs)
		return;
	err = write_all(log, log->buf.p, log->buf.len, &done);
	if (!err) {
		whole = log->n_recs;
		keep = done;
	} else {
		while (whole < log->n_recs && log->ends[whole] <= done)
			whole++;
		keep = whole ? log->ends[whole - 1] : 0;
		/* ENOSPC after a short write: cut the partial record back off.
		 * From fstat, not our count, in case another writer appends.
		 * Should even that fail, there is nothing left to try. */
		if (done > keep && log->regular && !fstat(log->fd, &st) &&
		    (uint64_t)st.st_size >= done - keep)
			(void)!ftruncate(log->fd, st.st_size - (off_t)(done - keep));
	}
	log->size += keep;
	if (whole && log->marker) {
		log->pending -= log->marker_count;
		if (log->syslog)
			to_syslog(log->buf.p, log->ends[0], LOG_WARNING);
	}
	if (err) {
		uint64_t lost = log->n_recs - whole - (log->marker && !whole);

		log->pending += lost;
		log->total_dropped += lost;
		report_failure(log, err);
	} else {
		log->failing = false;
	}
	if (keep)
		sync_file(log);
	batch_reset(log);
}

/* Append one whole record to the batch (rotating first when it would take
 * FILE past --max-size). */
static void push(struct audit_log *log, const char *rec, size_t len, bool marker)
{
	if (log->regular && log->max_size && log->size + log->buf.len &&
	    log->size + log->buf.len + len > log->max_size) {
		audit_log_flush(log);
		if (log->fd >= 0 && log->size && log->size + len > log->max_size)
			rotate(log);
		/* a failed write just now: its count goes before this record */
		if (!marker && log->pending && !log->n_recs) {
			char *d = NULL;
			int n = dropped_record(log, &d);

			if (n > 0) {
				log->marker_count = log->pending;
				push(log, d, (size_t)n, true);
				log->marker = true;
			}
			free(d);
		}
	}
	if (log->n_recs == log->cap_recs) {
		size_t cap = log->cap_recs ? 2 * log->cap_recs : 256;
		size_t *e = realloc(log->ends, cap * sizeof(*e));

		if (!e)
			goto nomem;
		log->ends = e;
		log->cap_recs = cap;
	}
	sb_put(&log->buf, rec, len);
	if (log->buf.oom)
		goto nomem;
	log->ends[log->n_recs++] = log->buf.len;
	return;
nomem:
	/* not written: counted like any record the file did not get */
	log->buf.oom = false;
	if (!marker) {
		log->pending++;
		log->total_dropped++;
		report_failure(log, ENOMEM);
	}
}

static void record_line(struct audit_log *log, const char *line, size_t len, int prio)
{
	if (log->syslog)
		to_syslog(line, len, prio);
	if (!log->path)
		return;
	/* the count of what is missing goes before the next record written */
	if (log->pending && !log->n_recs) {
		char *d = NULL;
		int n = dropped_record(log, &d);

		if (n > 0) {
			log->marker_count = log->pending;
			push(log, d, (size_t)n, true);
			log->marker = log->n_recs == 1;
		}
		free(d);
	}
	push(log, line, len, false);
	if (log->flush == AUDIT_FLUSH_FSYNC || log->buf.len >= AUDIT_BATCH_MAX)
		audit_log_flush(log);
}

void audit_log_record(struct audit_log *log, const char *line, size_t len)
{
	record_line(log, line, len, log->syslog ? syslog_priority(line, len) : -1);
}

int audit_log_priority(const struct record *r)
{
	switch (r->kind) {
	case RECORD_CHECK:
		return r->ev.outcome && !strcmp(r->ev.outcome, "compatible") ?
		       LOG_INFO : LOG_WARNING;
	case RECORD_READ:
		return LOG_INFO;
	case RECORD_LOST:
		return LOG_WARNING;
	case RECORD_LIFECYCLE:
		return r->life.ret < 0 ? LOG_WARNING : LOG_INFO;
	case RECORD_MIGRATION:
		return r->mig.outcome && !strcmp(r->mig.outcome, "completed") ?
		       LOG_INFO : LOG_WARNING;
	default:
		return -1;
	}
}

static void sink_record(struct sink *s, struct pipeline *p, const struct record *r)
{
	struct audit_log *log = (struct audit_log *)s;
	int prio = log->syslog ? audit_log_priority(r) : -1;
	const char *line;
	size_t len;

	if (!log->path && prio < 0)
		return;		/* syslog only, and not a kind it gets */
	line = pipeline_json(p, r, &len);
	if (!line) {
		if (log->path) {
			log->pending++;
			log->total_dropped++;
			report_failure(log, ENOMEM);
		}
		return;
	}
	record_line(log, line, len, prio);
}

static void sink_flush(struct sink *s)
{
	audit_log_flush((struct audit_log *)s);
}

static const struct sink_ops audit_sink_ops = {
	.name = "audit-log",
	.record = sink_record,
	.flush = sink_flush,
	/* close: only flush; the log is freed by audit_log_close */
	.close = sink_flush,
};

struct sink *audit_log_sink(struct audit_log *log)
{
	log->sink.ops = &audit_sink_ops;
	return &log->sink;
}

void audit_log_reopen(struct audit_log *log)
{
	int fd;

	if (!log->path)
		return;
	/* what was buffered before the signal belongs to the moved file */
	audit_log_flush(log);
	fd = open_file(log);
	if (fd < 0) {
		/* keep the old fd: records land in the moved file, not nowhere */
		fprintf(stderr, "mdevver-trace: audit log %s: reopen: %s%s; %s\n",
			log->path, open_error(log, -fd), open_hint(-fd),
			log->fd >= 0 ? "still writing to the previous file" :
			"records are counted until it can be opened");
		return;
	}
	if (log->fd >= 0)
		close(log->fd);
	log->fd = fd;
}

uint64_t audit_log_dropped(const struct audit_log *log)
{
	return log->total_dropped;
}

void audit_log_close(struct audit_log *log)
{
	if (!log)
		return;
	if (log->path)
		audit_log_flush(log);
	if (log->fd >= 0)
		close(log->fd);
	if (log->syslog)
		closelog();
	free(log->path);
	free(log->host_json);
	sb_free(&log->buf);
	free(log->ends);
	free(log);
}
