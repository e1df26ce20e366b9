// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_report.c - the whole `report` pipeline (user/report/) on any bytes:
 * the input read as one audit log (a memfd, by its /proc/self/fd path, the
 * way report_read_log opens a LOG), the model and its tallies, then the
 * text and the HTML renderers, as cmd_report runs them.
 *
 * Invariants: a readable log is never an error; the text report is lines
 * of printable ASCII; the HTML page is printable ASCII and its markup is
 * only the renderer's own (every '<' opens one of the tags it writes: a
 * log string can never become markup).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "report_html.h"
#include "report_input.h"
#include "report_text.h"

static const char *const tags[] = {
	"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "table",
	"thead", "tbody", "tr", "th", "td", "span", "i", "b", "ul", "li", "div",
	"code", "caption", "!DOCTYPE", NULL,
};

static void check_text(const char *s, size_t n)
{
	size_t at = fuzz_first_control(s, n, "\n");

	FUZZ_CHECK(at == n, "text report: byte 0x%02x at %zu", (unsigned char)s[at], at);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)s[i] < 0x80, "text report: byte 0x%02x at %zu",
			   (unsigned char)s[i], i);
}

static void check_html(const char *s, size_t n)
{
	check_text(s, n);
	for (const char *lt = memchr(s, '<', n); lt; lt = memchr(lt + 1, '<', n - (size_t)(lt + 1 - s))) {
		const char *name = lt + 1 + (lt + 1 < s + n && lt[1] == '/');
		size_t len = 0;
		int known = 0;

		while (name + len < s + n && (isalnum((unsigned char)name[len]) || name[len] == '!'))
			len++;
		for (int t = 0; tags[t] && !known; t++)
			known = strlen(tags[t]) == len && !strncmp(tags[t], name, len);
		FUZZ_CHECK(known, "HTML: markup the renderer does not write: %.40s", lt);
		if (lt + 1 >= s + n)
			break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_model model;
	struct report_input in = { .prog = "fuzz-report" };
	char path[64], *out = NULL;
	size_t out_len = 0;
	int fd = memfd_create("fuzz-report.jsonl", MFD_CLOEXEC);
	FILE *f;

	FUZZ_CHECK(fd >= 0, "memfd_create");
	FUZZ_CHECK(!size || write(fd, data, size) == (ssize_t)size, "write");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	FUZZ_CHECK(!report_model_init(&model), "report_model_init");
	in.model = &model;
	in.parser = report_parser_new();
	FUZZ_CHECK(in.parser, "report_parser_new");
	FUZZ_CHECK(!report_read_log(&in, path), "report_read_log failed");
	report_parser_free(in.parser);
	FUZZ_CHECK(!report_model_finish(&model), "report_model_finish");
	close(fd);
	report_input_done(&in);

	f = open_memstream(&out, &out_len);
	FUZZ_CHECK(f, "open_memstream");
	FUZZ_CHECK(!report_write_text(f, &model), "report_write_text");
	fclose(f);
	check_text(out, out_len);
	free(out);

	out = NULL;
	f = open_memstream(&out, &out_len);
	FUZZ_CHECK(f, "open_memstream");
	FUZZ_CHECK(!report_write_html(f, &model), "report_write_html");
	fclose(f);
	check_html(out, out_len);
	free(out);

	report_model_free(&model);
	return 0;
}
