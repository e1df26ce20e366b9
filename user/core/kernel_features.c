// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * kernel_features.c - answers "does this kernel have X" by reading what the
 * kernel publishes, never by version numbers: attach modes are chosen by
 * trying, and these answers only explain the attempts (and skip attaching
 * to vendor functions that are not there).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btf_scan.h"
#include "kernel_features.h"

bool kf_has_vmlinux_btf(void)
{
	return access(VMLINUX_BTF_PATH, R_OK) == 0;
}

/*
 * Functions asked about while the attach ladder picks its programs (vendor
 * probes, lifecycle hooks; `probes` for every spec).  The raw BTF is walked
 * (btf_scan.c): vmlinux's is read once and kept, each answer of
 * kf_btf_has_func() is remembered -- until kf_btf_cache_drop(), which the
 * ladder calls before libbpf parses its own copy for the load (start-up
 * time and peak RSS).  libbpf's parser is only the fallback for BTF the
 * walk does not understand.
 */
static struct btf_raw raw_vmlinux;
static struct btf *cache_vmlinux;	/* fallback only */

#define FUNC_MEMO_MAX 32
static struct {
	char func[128];
	char module[256];	/* "" when not found, else "vmlinux" or a module */
	__u32 id;		/* with have_id: the FUNC's type id */
	bool have_id;		/* from kf_btf_prefetch() */
} func_memo[FUNC_MEMO_MAX];
static unsigned int func_memo_n;

static int memo_find(const char *func)
{
	for (unsigned int i = 0; i < func_memo_n; i++)
		if (!strcmp(func_memo[i].func, func))
			return (int)i;
	return -1;
}

static const struct btf_raw *vmlinux_raw(void)
{
	if (!raw_vmlinux.data)
		btf_raw_read(VMLINUX_BTF_PATH, &raw_vmlinux);
	return raw_vmlinux.data ? &raw_vmlinux : NULL;
}

const struct btf_raw *kf_vmlinux_btf_raw(void)
{
	return vmlinux_raw();
}

/* libbpf's answer, for BTF the walk gave up on */
static bool parsed_has_func(const char *path, bool split, const char *func)
{
	struct btf *btf;
	bool found;

	if (!split) {
		btf = btf__parse(path, NULL);
	} else {
		if (!cache_vmlinux)
			cache_vmlinux = btf__parse(VMLINUX_BTF_PATH, NULL);
		if (!cache_vmlinux)
			return false;
		btf = btf__parse_split(path, cache_vmlinux);
	}
	if (!btf)
		return false;
	found = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return found;
}

static const struct btf_raw *module_raw(const char *name);

/*
 * Is func a FUNC in vmlinux's BTF (module NULL) or in a module's?  Both
 * files are read once and kept (vmlinux_raw, module_raw) for the prefetch,
 * the attach targets and the CO-RE target; libbpf answers where the walk
 * cannot.
 */
static bool btf_has_func(const char *module, const char *func)
{
	const struct btf_raw *base = vmlinux_raw(), *mod;
	char path[512];
	int r = -1;

	if (!module) {
		if (base)
			r = btf_raw_has_func(base, NULL, func);
		return r >= 0 ? r == 1 : parsed_has_func(VMLINUX_BTF_PATH, false, func);
	}
	mod = module_raw(module);
	if (base && mod)
		r = btf_raw_has_func(mod, base, func);
	if (r >= 0)
		return r == 1;
	snprintf(path, sizeof(path), "/sys/kernel/btf/%s", module);
	return parsed_has_func(path, true, func);
}

bool kf_module_btf_has_func(const char *module, const char *func)
{
	int m = memo_find(func);
	char path[128];

	/* a FUNC name is in one place: where the prefetch found it */
	if (m >= 0 && func_memo[m].have_id)
		return !strcmp(func_memo[m].module, module);
	snprintf(path, sizeof(path), "/sys/kernel/btf/%s", module);
	if (access(path, R_OK))
		return false;
	return btf_has_func(module, func);
}

#define FUNC_IDS_MAX 32

/*
 * The modules' raw BTF files, each read once until kf_btf_cache_drop():
 * the attach targets' walk reads them, and core_btf.c reads them again for
 * the module types of its CO-RE target.
 */
#define MODULE_CACHE_MAX 64
static struct {
	char name[64];
	struct btf_raw raw;
} module_cache[MODULE_CACHE_MAX];
static size_t n_module_cache;

static const struct btf_raw *module_raw(const char *name)
{
	char path[512];

	for (size_t i = 0; i < n_module_cache; i++)
		if (!strcmp(module_cache[i].name, name))
			return &module_cache[i].raw;
	if (n_module_cache == MODULE_CACHE_MAX || strlen(name) >= sizeof(module_cache[0].name))
		return NULL;
	snprintf(path, sizeof(path), "/sys/kernel/btf/%s", name);
	if (btf_raw_read(path, &module_cache[n_module_cache].raw))
		return NULL;
	memcpy(module_cache[n_module_cache].name, name, strlen(name) + 1);
	return &module_cache[n_module_cache++].raw;
}

size_t kf_module_btf_raws(const struct btf_raw **raws, size_t max)
{
	struct dirent *de;
	size_t n = 0;
	DIR *dir = opendir("/sys/kernel/btf");

	while (dir && n < max && (de = readdir(dir))) {
		const struct btf_raw *r;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux"))
			continue;
		r = module_raw(de->d_name);
		if (r)
			raws[n++] = r;
	}
	if (dir)
		closedir(dir);
	return n;
}

static int func_ids_walk(const char *const *funcs, size_t n, struct kf_btf_loc *loc)
{
	const struct btf_raw *base = vmlinux_raw();
	const char *rest[FUNC_IDS_MAX];
	__u32 ids[FUNC_IDS_MAX], count;
	size_t idx[FUNC_IDS_MAX], m = 0;
	struct dirent *de;
	int ret = 0;
	DIR *dir;

	if (!base || n > FUNC_IDS_MAX ||
	    btf_raw_func_ids(base, NULL, 0, funcs, n, ids, &count))
		return -1;
	for (size_t i = 0; i < n; i++) {
		loc[i].module[0] = '\0';
		loc[i].id = ids[i];
		if (!ids[i]) {
			idx[m] = i;
			rest[m++] = funcs[i];
		}
	}
	/* the rest in the modules' files, each walked once for all of them
	 * (their ids continue after vmlinux's count types) */
	dir = m ? opendir("/sys/kernel/btf") : NULL;
	while (dir && m && (de = readdir(dir))) {
		const struct btf_raw *mod;
		__u32 mcount;
		size_t keep = 0;

		/* module names are shorter (MODULE_NAME_LEN) */
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux") ||
		    strlen(de->d_name) >= sizeof(loc[0].module))
			continue;
		mod = module_raw(de->d_name);
		if (!mod)
			continue;
		if (btf_raw_func_ids(mod, base, count, rest, m, ids, &mcount))
			ret = -1;
		if (ret)
			break;
		for (size_t j = 0; j < m; j++) {
			if (ids[j]) {
				loc[idx[j]].id = ids[j];
				memcpy(loc[idx[j]].module, de->d_name,
				       strlen(de->d_name) + 1);
			} else {
				idx[keep] = idx[j];
				rest[keep++] = rest[j];
			}
		}
		m = keep;
	}
	if (dir)
		closedir(dir);
	return ret;
}

int kf_btf_func_ids(const char *const *funcs, size_t n, struct kf_btf_loc *loc)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int m = memo_find(funcs[i]);

		if (m < 0 || !func_memo[m].have_id)
			break;
		loc[i].id = func_memo[m].id;
		if (!strcmp(func_memo[m].module, "vmlinux"))
			loc[i].module[0] = '\0';
		else
			snprintf(loc[i].module, sizeof(loc[i].module), "%.63s", func_memo[m].module);
	}
	return i == n ? 0 : func_ids_walk(funcs, n, loc);
}

void kf_btf_prefetch(const char *const *funcs, size_t n)
{
	struct kf_btf_loc loc[FUNC_IDS_MAX];

	if (n > FUNC_IDS_MAX || access(VMLINUX_BTF_PATH, R_OK) ||
	    func_ids_walk(funcs, n, loc))
		return;		/* asked one by one, as without it */
	for (size_t i = 0; i < n && func_memo_n < FUNC_MEMO_MAX; i++) {
		if (memo_find(funcs[i]) >= 0 || strlen(funcs[i]) >= sizeof(func_memo[0].func))
			continue;
		snprintf(func_memo[func_memo_n].func, sizeof(func_memo[0].func), "%s", funcs[i]);
		if (!loc[i].id)
			func_memo[func_memo_n].module[0] = '\0';
		else if (!loc[i].module[0])
			strcpy(func_memo[func_memo_n].module, "vmlinux");
		else
			memcpy(func_memo[func_memo_n].module, loc[i].module, sizeof(loc[i].module));
		func_memo[func_memo_n].id = loc[i].id;
		func_memo[func_memo_n].have_id = true;
		func_memo_n++;
	}
}

void kf_btf_cache_drop(void)
{
	for (size_t i = 0; i < n_module_cache; i++)
		btf_raw_free(&module_cache[i].raw);
	n_module_cache = 0;
	btf_raw_free(&raw_vmlinux);
	btf__free(cache_vmlinux);
	cache_vmlinux = NULL;
	func_memo_n = 0;
}

static bool btf_search_func(const char *func, char *found_in, size_t sz)
{
	struct dirent *de;
	bool found = false;
	DIR *dir;

	if (btf_has_func(NULL, func)) {
		snprintf(found_in, sz, "vmlinux");
		return true;
	}
	dir = opendir("/sys/kernel/btf");
	while (dir && !found && (de = readdir(dir))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux"))
			continue;
		if (btf_has_func(de->d_name, func)) {
			found = true;
			snprintf(found_in, sz, "%s", de->d_name);
		}
	}
	if (dir)
		closedir(dir);
	return found;
}

bool kf_btf_has_func(const char *func, char *module, size_t module_sz)
{
	char found_in[256] = "";
	bool found;

	for (unsigned int i = 0; i < func_memo_n; i++) {
		if (strcmp(func_memo[i].func, func))
			continue;
		if (func_memo[i].module[0] && module && module_sz)
			snprintf(module, module_sz, "%s", func_memo[i].module);
		return func_memo[i].module[0] != '\0';
	}
	if (access(VMLINUX_BTF_PATH, R_OK))
		return false;
	found = btf_search_func(func, found_in, sizeof(found_in));
	if (found && module && module_sz)
		snprintf(module, module_sz, "%s", found_in);
	if (func_memo_n < FUNC_MEMO_MAX && strlen(func) < sizeof(func_memo[0].func)) {
		snprintf(func_memo[func_memo_n].func, sizeof(func_memo[0].func), "%s", func);
		snprintf(func_memo[func_memo_n].module, sizeof(func_memo[0].module), "%s",
			 found ? found_in : "");
		func_memo_n++;
	}
	return found;
}

/*
 * A /proc/kallsyms line "ADDR TYPE NAME[\t[MODULE]]\n": its type and
 * name (NUL-terminated in place), or false.  By hand, not sscanf(): the
 * file has ~150k lines and sscanf cost ~4,000 instructions each (callgrind;
 * a kprobe-mode start reads it once per vendor and lifecycle function).
 */
static bool kallsyms_line(char *line, char *type, const char **name)
{
	char *sp = strchr(line, ' '), *end;

	if (!sp || !sp[1] || sp[2] != ' ')
		return false;
	*type = sp[1];
	*name = sp + 3;
	end = strpbrk(sp + 3, "\t\n");
	if (end)
		*end = '\0';
	return true;
}

bool kf_kallsyms_has(const char *func)
{
	char line[512];
	const char *sym;
	bool found = false;
	FILE *f;
	char type;

	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (!kallsyms_line(line, &type, &sym))
			continue;
		if ((type == 't' || type == 'T') && !strcmp(sym, func))
			found = true;
	}
	fclose(f);
	return found;
}

unsigned long long kf_kallsyms_module_data(const char *mod, const char *sym)
{
	char line[512], name[256], owner[64];
	unsigned long long addr, found = 0;
	unsigned int hits = 0;
	char want[80];
	FILE *f;
	char type;

	snprintf(want, sizeof(want), "[%s]", mod);
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		int n;

		/* cheap test first: the module's lines only (see kallsyms_line) */
		if (!strstr(line, want))
			continue;
		n = sscanf(line, "%llx %c %255s %63s", &addr, &type, name, owner);
		if (n != 4 || strcmp(name, sym) || strcmp(owner, want))
			continue;
		if (type == 't' || type == 'T')
			continue;
		found = addr;
		hits++;
	}
	fclose(f);
	/* hidden addresses read as 0; a name held twice names nothing */
	return hits == 1 ? found : 0;
}

int kf_tracepoint_exists(const char *category, const char *name)
{
	static const char *const roots[] = {
		"/sys/kernel/tracing",
		"/sys/kernel/debug/tracing",
	};
	char path[512];

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(path, sizeof(path), "%s/events", roots[i]);
		if (access(path, F_OK))
			continue;
		snprintf(path, sizeof(path), "%s/events/%s/%s", roots[i],
			 category, name);
		return access(path, F_OK) == 0;
	}
	return -1;
}

bool kf_tracefs_mounted(void)
{
	return kf_tracepoint_exists("syscalls", ".") >= 0;
}

bool kf_fs_is(const char *path, long magic)
{
	struct statfs st;

	return statfs(path, &st) == 0 && (long)st.f_type == magic;
}

int kf_bpf_lsm_active(char *lsm_list, size_t sz)
{
	char buf[512] = "";
	char *tok, *save = NULL;
	int active = 0;
	size_t n;
	FILE *f;

	f = fopen("/sys/kernel/security/lsm", "re");
	if (!f) {
		if (lsm_list && sz)
			snprintf(lsm_list, sz, "unknown: /sys/kernel/security/lsm: %s",
				 strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (lsm_list && sz)
		snprintf(lsm_list, sz, "%s", buf);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, "bpf"))
			active = 1;
	return active;
}

const char *kf_kernel_release(void)
{
	static struct utsname u;

	if (!u.release[0] && uname(&u))
		return "unknown";
	return u.release;
}
