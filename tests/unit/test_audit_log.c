// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests for user/sinks/audit_log.c as a sink: batches of whole
 * records, rotation on record boundaries, reopen. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit_log.h"
#include "rec_fixture.h"
#include "unit.h"

static char dir[] = "/tmp/mdevver-unit-XXXXXX";
static char path[256];

static char *slurp(const char *p, size_t *len)
{
	static char buf[1 << 20];
	int fd = open(p, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	*len = n < 0 ? 0 : (size_t)n;
	buf[*len] = '\0';
	return buf;
}

static size_t lines(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

static void test_batch(void)
{
	struct audit_log_options opt = { .path = path, .flush = AUDIT_FLUSH_LINE };
	char err[256];
	struct audit_log *log = audit_log_open(&opt, err, sizeof(err));
	struct pipeline *p = pipeline_new();
	struct record r;
	struct stat st;
	size_t len;
	const char *data;

	ASSERT_TRUE(log != NULL, "opened");
	ASSERT_EQ(0, pipeline_add(p, audit_log_sink(log)), "added");
	ASSERT_EQ(0, stat(path, &st), "created");
	ASSERT_EQ(0600, st.st_mode & 07777, "mode 0600");
	fix_check(&r);
	for (int i = 0; i < 50; i++)	/* ~35 KiB: under the batch limit */
		pipeline_emit(p, &r);
	slurp(path, &len);
	ASSERT_EQ(0, len, "nothing written before the flush");
	pipeline_flush(p);
	data = slurp(path, &len);
	ASSERT_EQ(50, lines(data, len), "50 records at the flush");
	ASSERT_EQ(50 * (sizeof(FIX_CHECK_JSON("1")) - 1), len, "whole records, nothing else");
	ASSERT_MEMEQ(FIX_CHECK_JSON("1"), data, sizeof(FIX_CHECK_JSON("1")) - 1, "the JSON line");
	/* past 64 KiB pending a batch goes out without waiting */
	for (int i = 0; i < 200; i++)
		pipeline_emit(p, &r);
	data = slurp(path, &len);
	ASSERT_TRUE(len > 50 * (sizeof(FIX_CHECK_JSON("1")) - 1), "written at 64 KiB");
	ASSERT_EQ('\n', data[len - 1], "ends on a record");
	ASSERT_EQ(0, audit_log_dropped(log), "nothing dropped");
	pipeline_free(p);	/* flushes */
	audit_log_close(log);
	data = slurp(path, &len);
	ASSERT_EQ(250, lines(data, len), "every record after close");
}

static void test_rotation(void)
{
	struct audit_log_options opt = { .path = path, .max_size = 4096, .max_files = 3 };
	size_t rec = sizeof(FIX_CHECK_JSON("1")) - 1, len;
	char err[256], name[300];
	struct audit_log *log;
	struct pipeline *p = pipeline_new();
	struct record r;

	unlink(path);
	log = audit_log_open(&opt, err, sizeof(err));
	ASSERT_TRUE(log != NULL, "opened");
	pipeline_add(p, audit_log_sink(log));
	fix_check(&r);
	for (int i = 0; i < 20; i++)
		pipeline_emit(p, &r);
	pipeline_flush(p);
	pipeline_free(p);
	audit_log_close(log);
	for (int i = 0; i <= 3; i++) {
		const char *data;

		if (i)
			snprintf(name, sizeof(name), "%s.%d", path, i);
		else
			snprintf(name, sizeof(name), "%s", path);
		data = slurp(name, &len);
		ASSERT_TRUE(len <= 4096, "a file within --max-size");
		ASSERT_EQ(0, len % rec, "whole records only");
		ASSERT_TRUE(len == 0 || data[len - 1] == '\n', "ends on a line");
	}
	snprintf(name, sizeof(name), "%s.4", path);
	ASSERT_TRUE(access(name, F_OK) != 0, "no fourth backup");
}

static void test_cut_tail(void)
{
	struct audit_log_options opt = { .path = path };
	char err[256];
	struct audit_log *log;
	size_t len;
	const char *data;
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ASSERT_TRUE(fd >= 0, "made");
	ASSERT_EQ(41, write(fd, "{\"schema\":1,\"event\":\"a\"}\n{\"schema\":1,\"ev", 41),
		  "written");
	close(fd);
	log = audit_log_open(&opt, err, sizeof(err));
	ASSERT_TRUE(log != NULL, "opened");
	audit_log_record(log, "{\"c\":2}\n", 8);
	audit_log_close(log);
	data = slurp(path, &len);
	ASSERT_STREQ("{\"schema\":1,\"event\":\"a\"}\n{\"c\":2}\n", data,
		     "fragment removed, record appended");
}

/* An existing file that is not a log of ours: refused, not touched. */
static void test_not_a_log(void)
{
	static const char *const texts[] = {
		"not a log\n",
		"{\"a\":1}\n",			/* JSON, but not our record */
		"{\"schema\":x,\"event\":\"a\"}\n",
		"{\"schema\":1}",
	};
	struct audit_log_options opt = { .path = path };
	char err[256];
	struct stat st;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		size_t n = strlen(texts[i]), len;
		const char *data;
		int fd;

		unlink(path);
		fd = open(path, O_WRONLY | O_CREAT, 0644);
		ASSERT_TRUE(fd >= 0, "made");
		ASSERT_EQ((ssize_t)n, write(fd, texts[i], n), "written");
		fchmod(fd, 0644);
		close(fd);
		ASSERT_TRUE(audit_log_open(&opt, err, sizeof(err)) == NULL, texts[i]);
		ASSERT_TRUE(strstr(err, "not an mdevver-trace audit log") != NULL, err);
		data = slurp(path, &len);
		ASSERT_STREQ(texts[i], data, "left byte for byte");
		ASSERT_TRUE(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644, "mode kept");
	}
	unlink(path);
}

/* A FIFO is refused at once (a FIFO without a reader would block). */
static void test_fifo(void)
{
	struct audit_log_options opt = { .path = path };
	char err[256];

	unlink(path);
	ASSERT_TRUE(mkfifo(path, 0600) == 0, "mkfifo");
	ASSERT_TRUE(audit_log_open(&opt, err, sizeof(err)) == NULL, "refused");
	ASSERT_STREQ("not a regular file (a FIFO)", err, "says why");
	unlink(path);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/audit.log", dir);
	RUN_TEST(test_batch);
	RUN_TEST(test_rotation);
	RUN_TEST(test_cut_tail);
	RUN_TEST(test_not_a_log);
	RUN_TEST(test_fifo);
	for (int i = 0; i <= 4; i++) {
		char name[300];

		snprintf(name, sizeof(name), i ? "%s.%d" : "%s", path, i);
		unlink(name);
	}
	rmdir(dir);
	return unit_exit();
}
