// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * policy.c - parser of the enforcement policy (docs/policy.md).
 *
 *   # comment
 *   deny  remote="00028086-193b-i915-GVTg_V5_4" type=i915-GVTg_V5_8 name=bad-fw
 *   audit op=check comm!=libvirtd
 *
 * A line is an action followed by KEY=VALUE or KEY!=VALUE words; a value is
 * a bare word or a double-quoted string with C escapes (\n \t \\ \" \xNN),
 * so any byte a version string may hold can be written.  Every error names
 * the file, line and column; the first error rejects the whole file.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "escape.h"
#include "mdevver_enforce.h"
#include "mdevver_vfio.h"
#include "policy.h"

static const char *const key_names[PK_COUNT] = {
	[PK_REMOTE] = "remote", [PK_LOCAL] = "local", [PK_TYPE] = "type",
	[PK_PARENT] = "parent", [PK_ATTR] = "attr", [PK_OP] = "op",
	[PK_COMM] = "comm", [PK_UID] = "uid", [PK_CGROUP] = "cgroup",
	[PK_STATE] = "state",
};

/* the uAPI's names of enum vfio_device_mig_state, as records print them */
static const char *const state_names[MDEVVER_MIG_STATES] = {
	[MDEVVER_MIG_ERROR] = "ERROR", [MDEVVER_MIG_STOP] = "STOP",
	[MDEVVER_MIG_RUNNING] = "RUNNING", [MDEVVER_MIG_STOP_COPY] = "STOP_COPY",
	[MDEVVER_MIG_RESUMING] = "RESUMING", [MDEVVER_MIG_RUNNING_P2P] = "RUNNING_P2P",
	[MDEVVER_MIG_PRE_COPY] = "PRE_COPY", [MDEVVER_MIG_PRE_COPY_P2P] = "PRE_COPY_P2P",
};

const char *policy_key_name(enum policy_key k)
{
	return k < PK_COUNT ? key_names[k] : "?";
}

struct parser {
	const char *fname;
	const char *line;	/* start of the current line */
	size_t line_len;
	unsigned int lineno;
	size_t pos;		/* offset in the line */
	char *err;
	size_t errsz;
	/* rule names seen: open addressing, slot = rule index + 1 (0 empty);
	 * the duplicate check is O(1) per rule, not a scan of all before it */
	size_t *names;
	size_t names_cap;
	/* the current rule was given name= (its default "line N" is no sign:
	 * a user's name may start with "line " too) */
	bool named;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct parser *p, size_t col, const char *fmt, ...)
{
	char fname[256];
	size_t n;

	c_escape(fname, sizeof(fname), p->fname, strlen(p->fname));
	n = snprintf(p->err, p->errsz, "%s:%u:%zu: ", fname, p->lineno, col + 1);
	if (n < p->errsz) {
		va_list ap;

		va_start(ap, fmt);
		/* started above; clang-analyzer 14's known false positive */
		vsnprintf(p->err + n, p->errsz - n, fmt, ap);	// NOLINT(clang-analyzer-valist.Uninitialized)
		va_end(ap);
	}
	return -1;
}

/* A value from the file, C-escaped (escape.h) for an error message: the
 * message reaches a terminal.  At most 40 bytes of it. */
static const char *shown(char *dst, size_t dstsz, const void *v, size_t len)
{
	c_escape(dst, dstsz, v, len < 40 ? len : 40);
	return dst;
}

#define SHOWN_MAX (40 * 4 + 4)

static bool at_end(const struct parser *p)
{
	return p->pos >= p->line_len || p->line[p->pos] == '#';
}

static void skip_space(struct parser *p)
{
	while (p->pos < p->line_len && (p->line[p->pos] == ' ' || p->line[p->pos] == '\t'))
		p->pos++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A value: bare word or "quoted".  Fills buf (len) and whether it was quoted. */
static int parse_value(struct parser *p, unsigned char *buf, size_t *len,
		       bool *quoted)
{
	size_t n = 0, start = p->pos;

	*quoted = p->pos < p->line_len && p->line[p->pos] == '"';
	if (!*quoted) {
		while (p->pos < p->line_len && !isspace((unsigned char)p->line[p->pos]) &&
		       p->line[p->pos] != '"') {
			if (n == POLICY_VALUE_MAX)
				return fail(p, start, "value longer than %d bytes", POLICY_VALUE_MAX);
			buf[n++] = (unsigned char)p->line[p->pos++];
		}
		if (!n)
			return fail(p, start, "missing value");
		*len = n;
		return 0;
	}
	p->pos++;
	for (;;) {
		unsigned char c;

		if (p->pos >= p->line_len)
			return fail(p, start, "unterminated string");
		c = (unsigned char)p->line[p->pos++];
		if (c == '"')
			break;
		if (c == '\\') {
			size_t at = p->pos - 1;

			if (p->pos >= p->line_len)
				return fail(p, at, "unterminated string");
			c = (unsigned char)p->line[p->pos++];
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '\\': case '"': break;
			case 'x': {
				int hi = p->pos < p->line_len ? hexval(p->line[p->pos]) : -1;
				int lo = p->pos + 1 < p->line_len ? hexval(p->line[p->pos + 1]) : -1;

				if (hi < 0 || lo < 0)
					return fail(p, at, "\\x needs two hex digits");
				c = (unsigned char)(hi << 4 | lo);
				p->pos += 2;
				break;
			}
			default: {
				char sh[SHOWN_MAX];

				return fail(p, at, "unknown escape '\\%s' (use \\n \\t \\r \\\\ \\\" or \\xNN)",
					    shown(sh, sizeof(sh), &c, 1));
			}
			}
		}
		if (n == POLICY_VALUE_MAX)
			return fail(p, start, "value longer than %d bytes", POLICY_VALUE_MAX);
		buf[n++] = c;
	}
	if (p->pos < p->line_len && !isspace((unsigned char)p->line[p->pos]) &&
	    p->line[p->pos] != '#')
		return fail(p, p->pos, "expected a space after the closing quote");
	*len = n;
	return 0;
}

static int parse_number(struct parser *p, size_t col, const unsigned char *v,
			size_t len, uint64_t max, uint64_t *out, const char *what)
{
	char tmp[32], *end, sh[SHOWN_MAX];
	unsigned long long x;

	if (len == 0 || len >= sizeof(tmp) || !isdigit(v[0]))
		return fail(p, col, "invalid %s '%s': expected a number", what,
			    shown(sh, sizeof(sh), v, len));
	memcpy(tmp, v, len);
	tmp[len] = '\0';
	errno = 0;
	x = strtoull(tmp, &end, 10);
	if (errno || *end || x > max)
		return fail(p, col, "invalid %s '%s': expected a number up to %llu",
			    what, shown(sh, sizeof(sh), tmp, len), (unsigned long long)max);
	*out = x;
	return 0;
}

/* cgroup: a cgroup v2 id, or a path whose inode number is that id. */
static int parse_cgroup(struct parser *p, size_t col, const unsigned char *v,
			size_t len, uint64_t *out)
{
	if (len && v[0] == '/') {
		char sh[SHOWN_MAX];
		struct stat st;

		if (stat((const char *)v, &st))
			return fail(p, col, "cgroup '%s': %s", shown(sh, sizeof(sh), v, len),
				    strerror(errno));
		if (!S_ISDIR(st.st_mode))
			return fail(p, col, "cgroup '%s': not a directory",
				    shown(sh, sizeof(sh), v, len));
		*out = st.st_ino;
		return 0;
	}
	return parse_number(p, col, v, len, UINT64_MAX, out, "cgroup");
}

static int parse_match(struct parser *p, struct policy_rule *r,
		       unsigned char *buf)
{
	size_t col = p->pos, klen = 0, vcol;
	enum policy_key key = PK_COUNT;
	struct policy_match *m;
	bool negate = false, quoted;
	size_t len;

	while (p->pos + klen < p->line_len &&
	       (isalnum((unsigned char)p->line[p->pos + klen]) || p->line[p->pos + klen] == '_'))
		klen++;
	if (!klen)
		return fail(p, col, "expected KEY=VALUE");
	if (klen == 4 && !strncmp(p->line + p->pos, "name", 4)) {
		p->pos += 4;
		if (p->pos >= p->line_len || p->line[p->pos] != '=')
			return fail(p, p->pos, "expected '=' after name");
		p->pos++;
		vcol = p->pos;
		if (parse_value(p, buf, &len, &quoted))
			return -1;
		if (!len || len >= POLICY_NAME_MAX || memchr(buf, '\0', len))
			return fail(p, vcol, "rule name: 1 to %d bytes, no NUL", POLICY_NAME_MAX - 1);
		if (p->named)
			return fail(p, col, "the rule has two names");
		p->named = true;
		memcpy(r->name, buf, len);
		r->name[len] = '\0';
		return 0;
	}
	for (int k = 0; k < PK_COUNT; k++)
		if (strlen(key_names[k]) == klen && !strncmp(p->line + p->pos, key_names[k], klen))
			key = k;
	if (key == PK_COUNT)
		return fail(p, col, "unknown key '%.*s' (keys: remote local type parent attr op comm uid cgroup state name)",
			    (int)(klen < 40 ? klen : 40), p->line + p->pos);
	p->pos += klen;
	if (p->pos + 1 < p->line_len && p->line[p->pos] == '!' && p->line[p->pos + 1] == '=') {
		negate = true;
		p->pos += 2;
	} else if (p->pos < p->line_len && p->line[p->pos] == '=') {
		p->pos++;
	} else {
		return fail(p, p->pos, "expected '=' or '!=' after %s", key_names[key]);
	}
	if (negate && key != PK_COMM && key != PK_UID && key != PK_CGROUP)
		return fail(p, col, "'!=' is only for process keys (comm, uid, cgroup)");
	m = &r->keys[key];
	if (m->set)
		return fail(p, col, "%s given twice in one rule", key_names[key]);
	vcol = p->pos;
	if (parse_value(p, buf, &len, &quoted))
		return -1;
	m->set = true;
	m->negate = negate;
	switch (key) {
	case PK_OP:
		if (len == 5 && !memcmp(buf, "check", 5))
			m->num = MDEVVER_OP_CHECK;
		else if (len == 4 && !memcmp(buf, "read", 4))
			m->num = MDEVVER_OP_READ;
		else if (len == 7 && !memcmp(buf, "migrate", 7))
			m->num = MDEVVER_OP_MIGRATE;
		else {
			char sh[SHOWN_MAX];

			return fail(p, vcol, "invalid op '%s': expected check, read or migrate",
				    shown(sh, sizeof(sh), buf, len));
		}
		return 0;
	case PK_STATE:
		for (unsigned int i = 0; i < MDEVVER_MIG_STATES; i++)
			if (strlen(state_names[i]) == len && !memcmp(buf, state_names[i], len)) {
				m->num = i;
				return 0;
			}
		{
			char sh[SHOWN_MAX];

			return fail(p, vcol, "invalid state '%s': expected ERROR, STOP, RUNNING, STOP_COPY, RESUMING, RUNNING_P2P, PRE_COPY or PRE_COPY_P2P",
				    shown(sh, sizeof(sh), buf, len));
		}
	case PK_UID:
		return parse_number(p, vcol, buf, len, UINT32_MAX - 1, &m->num, "uid");
	case PK_CGROUP:
		buf[len] = '\0';
		return parse_cgroup(p, vcol, buf, len, &m->num);
	case PK_COMM:
		if (len >= MDEVVER_TASK_COMM_LEN)
			return fail(p, vcol, "comm longer than %d bytes can never match",
				    MDEVVER_TASK_COMM_LEN - 1);
		break;
	case PK_TYPE: case PK_PARENT: case PK_ATTR:
		if (len >= MDEVVER_NAME_MAX || memchr(buf, '/', len))
			return fail(p, vcol, "%s: 1 to %d bytes without '/'", key_names[key],
				    MDEVVER_NAME_MAX - 1);
		break;
	case PK_REMOTE: case PK_LOCAL:
		/* a trailing '*' outside quotes, or as the last quoted byte
		 * written \x2a when a literal star is meant */
		if (len && buf[len - 1] == '*' &&
		    !(quoted && p->line[p->pos - 2] != '*')) {
			m->prefix = true;
			len--;
		}
		/* the newline the driver expects is not part of the identity */
		if (len && buf[len - 1] == '\n')
			len--;
		if (!len && !m->prefix)
			return fail(p, vcol, "%s: empty string", key_names[key]);
		break;
	default:
		break;
	}
	m->value = malloc(len + 1);
	if (!m->value)
		return fail(p, vcol, "out of memory");
	memcpy(m->value, buf, len);
	m->value[len] = '\0';
	m->len = len;
	return 0;
}

static void rule_free(struct policy_rule *r)
{
	for (int k = 0; k < PK_COUNT; k++)
		free(r->keys[k].value);
}

void policy_free(struct policy *p)
{
	for (size_t i = 0; i < p->n_rules; i++)
		rule_free(&p->rules[i]);
	free(p->rules);
	p->rules = NULL;
	p->n_rules = p->cap = 0;
}

static size_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

/* The slot holding name, or the empty slot where it would go. */
static size_t name_slot(const struct parser *p, const struct policy *pol,
			const char *name)
{
	size_t mask = p->names_cap - 1, i = name_hash(name) & mask;

	while (p->names[i] && strcmp(pol->rules[p->names[i] - 1].name, name))
		i = (i + 1) & mask;
	return i;
}

/* Room for one more name (load at most one half). */
static int names_grow(struct parser *p, const struct policy *pol)
{
	size_t cap = p->names_cap ? p->names_cap : 64, *old = p->names, old_cap = p->names_cap;

	while (2 * (pol->n_rules + 1) > cap)
		cap *= 2;
	if (cap == p->names_cap)
		return 0;
	p->names = calloc(cap, sizeof(*p->names));
	if (!p->names) {
		p->names = old;
		return -1;
	}
	p->names_cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			p->names[name_slot(p, pol, pol->rules[old[i] - 1].name)] = old[i];
	free(old);
	return 0;
}

static int parse_line(struct parser *p, struct policy *pol, unsigned char *buf)
{
	struct policy_rule r;
	size_t col, wlen = 0, slot;
	bool any = false;

	memset(&r, 0, sizeof(r));
	skip_space(p);
	if (at_end(p))
		return 0;
	col = p->pos;
	while (p->pos + wlen < p->line_len && isalpha((unsigned char)p->line[p->pos + wlen]))
		wlen++;
	if (wlen == 4 && !strncmp(p->line + col, "deny", 4))
		r.action = POLICY_DENY;
	else if (wlen == 5 && !strncmp(p->line + col, "audit", 5))
		r.action = POLICY_AUDIT;
	else
		return fail(p, col, "expected an action: deny or audit");
	p->pos += wlen;
	r.line = p->lineno;
	snprintf(r.name, sizeof(r.name), "line %u", p->lineno);
	p->named = false;
	for (;;) {
		size_t before = p->pos;

		skip_space(p);
		if (at_end(p))
			break;
		if (p->pos == before) {
			rule_free(&r);
			return fail(p, p->pos, "expected a space before the next key");
		}
		if (parse_match(p, &r, buf)) {
			rule_free(&r);
			return -1;
		}
	}
	for (int k = 0; k < PK_COUNT; k++)
		any = any || r.keys[k].set;
	if (!any) {
		rule_free(&r);
		return fail(p, col, "a rule needs at least one match key (a bare '%.*s' would match everything)",
			    (int)wlen, p->line + col);
	}
	if (r.keys[PK_REMOTE].set && r.keys[PK_OP].set &&
	    r.keys[PK_OP].num == MDEVVER_OP_READ) {
		rule_free(&r);
		return fail(p, col, "remote is what a check writes: a rule with op=read and remote never matches");
	}
	if (r.keys[PK_STATE].set &&
	    !(r.keys[PK_OP].set && r.keys[PK_OP].num == MDEVVER_OP_MIGRATE)) {
		rule_free(&r);
		return fail(p, col, "state is the target of a migration state change: it needs op=migrate");
	}
	if (r.keys[PK_OP].set && r.keys[PK_OP].num == MDEVVER_OP_MIGRATE) {
		for (int k = PK_REMOTE; k <= PK_ATTR; k++) {
			if (k == PK_TYPE || k == PK_PARENT || !r.keys[k].set)
				continue;
			rule_free(&r);
			return fail(p, col, "%s is a fact of a version attribute: a rule with op=migrate and %s never matches",
				    key_names[k], key_names[k]);
		}
	}
	if (names_grow(p, pol)) {
		rule_free(&r);
		return fail(p, col, "out of memory");
	}
	slot = name_slot(p, pol, r.name);
	if (p->names[slot]) {
		char sh[SHOWN_MAX];

		rule_free(&r);
		return fail(p, col, "rule name '%s' already used on line %u",
			    shown(sh, sizeof(sh), pol->rules[p->names[slot] - 1].name,
				  strlen(pol->rules[p->names[slot] - 1].name)),
			    pol->rules[p->names[slot] - 1].line);
	}
	if (pol->n_rules == MDEVVER_RULES_MAX) {
		rule_free(&r);
		return fail(p, col, "more than %d rules: at most %d are supported",
			    MDEVVER_RULES_MAX, MDEVVER_RULES_MAX);
	}
	if (pol->n_rules == pol->cap) {
		size_t cap = pol->cap ? pol->cap * 2 : 16;
		struct policy_rule *nr = realloc(pol->rules, cap * sizeof(*nr));

		if (!nr) {
			rule_free(&r);
			return fail(p, col, "out of memory");
		}
		pol->rules = nr;
		pol->cap = cap;
	}
	p->names[slot] = pol->n_rules + 1;
	pol->rules[pol->n_rules++] = r;
	return 0;
}

int policy_parse(const char *text, size_t len, const char *fname,
		 struct policy *out, char *err, size_t errsz)
{
	struct parser p = { .fname = fname, .err = err, .errsz = errsz };
	struct policy pol = { 0 };
	unsigned char *buf = malloc(POLICY_VALUE_MAX + 1);
	size_t at = 0;

	memset(out, 0, sizeof(*out));
	if (!buf) {
		snprintf(err, errsz, "%s: out of memory", fname);
		return -1;
	}
	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t l = nl ? (size_t)(nl - (text + at)) : len - at;

		p.line = text + at;
		p.line_len = l;
		p.lineno++;
		p.pos = 0;
		if (memchr(p.line, '\0', l)) {
			fail(&p, (const char *)memchr(p.line, '\0', l) - p.line,
			     "NUL byte in the file (write \\x00 inside quotes)");
			goto bad;
		}
		if (l && p.line[l - 1] == '\r')
			p.line_len--;
		if (parse_line(&p, &pol, buf))
			goto bad;
		at += l + (nl ? 1 : 0);
	}
	free(buf);
	free(p.names);
	*out = pol;
	return 0;
bad:
	free(buf);
	free(p.names);
	policy_free(&pol);
	return -1;
}

int policy_load(const char *path, struct policy *out, char *err, size_t errsz)
{
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	FILE *f = fopen(path, "re");
	int ret;

	memset(out, 0, sizeof(*out));
	if (!f) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	do {
		if (len + 65536 > cap) {
			char *nt = realloc(text, cap = cap * 2 + 65536);

			if (!nt) {
				free(text);
				fclose(f);
				snprintf(err, errsz, "%s: out of memory", path);
				return -1;
			}
			text = nt;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		snprintf(err, errsz, "%s: read error", path);
		free(text);
		fclose(f);
		return -1;
	}
	fclose(f);
	ret = policy_parse(text ? text : "", len, path, out, err, errsz);
	free(text);
	return ret;
}
