// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * enforce.c - enforcement mode: everything around the tracer that makes a
 * policy hold in the kernel.
 *
 *   preflight   refuse unsafe set-ups before anything loads
 *   install     a compiled policy into the inactive generation, then flip
 *               (include/mdevver_enforce.h explains why that has no gap)
 *   pin/adopt   /sys/fs/bpf/mdevver keeps links and maps alive without us;
 *               a later `enforce --pin` reuses the maps, attaches its own
 *               programs, then replaces the old links one by one
 *   scan        learn the devices' own strings for `local` rules
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "enforce.h"
#include "kernel_features.h"
#include "mdevver_enforce.h"
#include "mdevver_trace.skel.h"
#include "policy_compile.h"
#include "policy_maps.h"
#include "privileges.h"
#include "file_kind.h"

/* Maps shared across instances: pinned under these names.  Not inflight:
 * a call that one instance's entry program began must not be finished by
 * another instance's exit program (the first one's filters applied). */
static const char *const shared_maps[] = {
	"checks", "reads", "repeat_slots", "attr_names", "enforce_state",
	"rules", "rule_index", "prefixes", "nodes", "decisions", "rule_names",
};
#define N_SHARED (sizeof(shared_maps) / sizeof(shared_maps[0]))
#define SHARED_ENFORCE_STATE 4	/* index of "enforce_state" above */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct bpf_map *skel_map(struct mdevver_trace_bpf *skel, const char *name)
{
	return bpf_object__find_map_by_name(skel->obj, name);
}

static int state_fd(struct enforcer *en)
{
	return bpf_map__fd(en->skel->maps.enforce_state);
}

static int state_set(struct enforcer *en, __u32 key, __u64 value)
{
	return bpf_map_update_elem(state_fd(en), &key, &value, BPF_ANY) ? -errno : 0;
}

static __u64 state_read(int fd, __u32 key)
{
	__u64 v = 0;

	bpf_map_lookup_elem(fd, &key, &v);
	return v;
}

/* ---- preflight --------------------------------------------------------- */

/* Read the policy through one descriptor whose owner and mode were checked
 * (no window between the check and the read).  On refusal, why gets one
 * line (without the "mdevver-trace: " prefix). */
__attribute__((format(printf, 3, 4)))
static int refuse(char *why, size_t sz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* started above; clang-analyzer 14's known false positive */
	vsnprintf(why, sz, fmt, ap);	// NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	return -1;
}


/*
 * One directory on the way to the policy (or a symbolic link on it): like
 * sshd's StrictModes, root-owned and not writable by group or others, else
 * whoever can write it can swap the policy.  One exception: a root-owned
 * sticky directory (/tmp, mode 1777), where nobody else can rename or
 * remove what root owns.  A symbolic link must be root's: its target is
 * what its owner says.
 */
static int check_step(const char *path, const char *step, char *why, size_t whysz)
{
	struct stat st;

	if (lstat(step, &st))
		return refuse(why, whysz, "policy file %s: %s: %s", path, step, strerror(errno));
	if (S_ISLNK(st.st_mode)) {
		if (st.st_uid != 0)
			return refuse(why, whysz, "unsafe policy file %s: symbolic link %s owned "
				      "by uid %u, not root", path, step, (unsigned int)st.st_uid);
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return 0;	/* the file itself: checked through its descriptor */
	if (st.st_uid != 0)
		return refuse(why, whysz, "unsafe policy file %s: directory %s owned by uid %u, "
			      "not root: chown root %s", path, step, (unsigned int)st.st_uid, step);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
		return refuse(why, whysz, "unsafe policy file %s: directory %s writable by %s "
			      "(mode %04o): chmod go-w %s", path, step,
			      (st.st_mode & S_IWOTH) ? "others" : "group",
			      (unsigned int)(st.st_mode & 07777), step);
	return 0;
}

/* Every prefix of p ("/", "/a", "/a/b", ...) through check_step. */
static int check_walk(const char *path, const char *p, char *why, size_t whysz)
{
	char buf[PATH_MAX];
	size_t n = strlen(p);

	if (n >= sizeof(buf))
		return refuse(why, whysz, "policy file %s: path too long", path);
	memcpy(buf, p, n + 1);
	if (check_step(path, "/", why, whysz))
		return -1;
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		if (buf[i - 1] == '/')
			continue;
		buf[i] = '\0';
		if (check_step(path, buf, why, whysz))
			return -1;
		buf[i] = p[i];
	}
	return 0;
}

/*
 * The directories above the policy: along the path as given (made
 * absolute; symbolic links on it must be root's) and along the path of the
 * file actually opened (fd: what the links led to).
 */
static int check_policy_dirs(const char *path, int fd, char *why, size_t whysz)
{
	char abs[PATH_MAX], real[PATH_MAX], link[64];
	ssize_t n;

	if (path[0] == '/') {
		if (snprintf(abs, sizeof(abs), "%s", path) >= (int)sizeof(abs))
			return refuse(why, whysz, "policy file %s: path too long", path);
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)) ||
		    snprintf(abs, sizeof(abs), "%s/%s", cwd, path) >= (int)sizeof(abs))
			return refuse(why, whysz, "policy file %s: path too long", path);
	}
	if (check_walk(path, abs, why, whysz))
		return -1;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, real, sizeof(real) - 1);
	if (n <= 0 || real[0] != '/')
		return 0;	/* no /proc: the path as given was checked */
	real[n] = '\0';
	return check_walk(path, real, why, whysz);
}

static int read_policy(const char *path, struct policy *out, char *why, size_t whysz)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd, ret = -1;

	/* O_NONBLOCK: a FIFO must not hang the open (refused just below) */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		return refuse(why, whysz, "policy file %s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st)) {
		refuse(why, whysz, "policy file %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		refuse(why, whysz, "policy file %s: not a regular file (%s)", path,
		       file_kind(st.st_mode));
		goto out;
	}
	if (st.st_uid != 0) {
		refuse(why, whysz, "unsafe policy file %s: owned by uid %u, not root "
		       "(whoever owns it decides what is enforced): chown root %s",
		       path, (unsigned int)st.st_uid, path);
		goto out;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		refuse(why, whysz, "unsafe policy file %s: writable by %s (mode %04o): chmod go-w %s",
		       path, (st.st_mode & S_IWOTH) ? "others" : "group",
		       (unsigned int)(st.st_mode & 07777), path);
		goto out;
	}
	if (check_policy_dirs(path, fd, why, whysz))
		goto out;
	for (;;) {
		if (len + 4096 > cap) {
			char *t = realloc(text, cap = cap ? 2 * cap : 65536);

			if (!t) {
				refuse(why, whysz, "policy file %s: out of memory", path);
				goto out;
			}
			text = t;
		}
		n = read(fd, text + len, cap - len);
		if (n < 0) {
			refuse(why, whysz, "policy file %s: %s", path, strerror(errno));
			goto out;
		}
		if (!n)
			break;
		len += n;
	}
	if (policy_parse(text ? text : "", len, path, out, why, whysz))
		goto out;
	ret = 0;
out:
	free(text);
	close(fd);
	return ret;
}

static bool pinned_state_exists(void)
{
	return access(MDEVVER_PIN_DIR "/enforce_state", F_OK) == 0;
}

static int open_pinned(struct enforcer *en)
{
	char path[256];

	for (size_t i = 0; i < N_SHARED; i++) {
		snprintf(path, sizeof(path), MDEVVER_PIN_DIR "/%s", shared_maps[i]);
		en->pinned_map_fds[i] = bpf_obj_get(path);
		if (en->pinned_map_fds[i] < 0) {
			fprintf(stderr, "mdevver-trace: pinned state in %s is incomplete (%s: %s): "
				"run 'mdevver-trace unpin' and start again\n",
				MDEVVER_PIN_DIR, shared_maps[i], strerror(errno));
			return -1;
		}
	}
	if (state_read(en->pinned_map_fds[SHARED_ENFORCE_STATE], MDEVVER_STATE_LAYOUT) != MDEVVER_ENFORCE_LAYOUT) {
		fprintf(stderr, "mdevver-trace: pinned state in %s has layout %llu, this build uses %d: "
			"run 'mdevver-trace unpin' first\n", MDEVVER_PIN_DIR,
			(unsigned long long)state_read(en->pinned_map_fds[SHARED_ENFORCE_STATE], MDEVVER_STATE_LAYOUT),
			MDEVVER_ENFORCE_LAYOUT);
		return -1;
	}
	return 0;
}

static int reuse_pinned(void *ctx, struct mdevver_trace_bpf *skel)
{
	struct enforcer *en = ctx;

	for (size_t i = 0; i < N_SHARED; i++) {
		int err = bpf_map__reuse_fd(skel_map(skel, shared_maps[i]),
					    en->pinned_map_fds[i]);

		if (err)
			return err;
	}
	return 0;
}

int enforce_preflight(struct enforcer *en, const struct enforce_options *opt,
		      struct tracer_config *cfg)
{
	struct compiled_policy c;
	char err[512];
	__u64 id = 0;

	memset(en, 0, sizeof(*en));
	for (size_t i = 0; i < N_SHARED; i++)
		en->pinned_map_fds[i] = -1;
	en->opt = opt;
	en->attr_names = cfg->attr_names;
	en->n_attr_names = cfg->n_attr_names;
	/* the LSM program: CAP_MAC_ADMIN besides CAP_BPF and CAP_PERFMON */
	if (!opt->dry_run && privileges_require_enforce())
		return -1;
	if (opt->pin && opt->dry_run) {
		fprintf(stderr, "mdevver-trace: --pin keeps enforcement in the kernel; it makes no sense with --dry-run\n");
		return -1;
	}
	if (read_policy(opt->policy_path, &en->pol[0], err, sizeof(err))) {
		fprintf(stderr, "mdevver-trace: %s\n", err);
		return -1;
	}
	/* the matcher's own limits, reported now rather than after loading */
	if (policy_compile(&en->pol[0], 0, opt->policy_path, &c, err, sizeof(err))) {
		fprintf(stderr, "mdevver-trace: %s\n", err);
		policy_free(&en->pol[0]);
		return -1;
	}
	compiled_policy_free(&c);
	/* the cheap local checks (the policy file) came first */
	if (!opt->dry_run) {
		char lsms[256];
		int active = kf_bpf_lsm_active(lsms, sizeof(lsms));

		if (active < 0) {
			fprintf(stderr, "mdevver-trace: cannot tell whether BPF LSM is active (%s): "
				"%s; --dry-run works without it\n", lsms,
				kf_fs_is(KF_SECURITYFS_PATH, SECURITYFS_MAGIC) ?
				"is securityfs readable?" :
				"securityfs is not mounted: " KF_MOUNT_SECURITYFS);
			policy_free(&en->pol[0]);
			return -1;
		}
		if (!active) {
			fprintf(stderr, "mdevver-trace: BPF LSM is not active (active LSMs: %s): add bpf to "
				"the lsm= boot parameter (e.g. lsm=%s,bpf) and reboot; --dry-run works without it\n",
				lsms, lsms);
			policy_free(&en->pol[0]);
			return -1;
		}
	}
	/* --pin: pinning outside the BPF file system fails late and vaguely */
	if (opt->pin && !kf_fs_is(KF_BPFFS_PATH, BPF_FS_MAGIC)) {
		fprintf(stderr, "mdevver-trace: --pin needs the BPF file system at %s, "
			"which is not mounted: %s\n", KF_BPFFS_PATH, KF_MOUNT_BPFFS);
		policy_free(&en->pol[0]);
		return -1;
	}
	if (pinned_state_exists()) {
		if (!opt->pin) {
			fprintf(stderr, "mdevver-trace: enforcement is pinned in %s: use --pin to adopt it, "
				"or 'mdevver-trace unpin' to remove it\n", MDEVVER_PIN_DIR);
			policy_free(&en->pol[0]);
			return -1;
		}
		if (open_pinned(en)) {
			policy_free(&en->pol[0]);
			return -1;
		}
		en->adopting = true;
		cfg->before_load = reuse_pinned;
		cfg->hook_ctx = en;
	}
	while (!id)
		if (getrandom(&id, sizeof(id), 0) != sizeof(id))
			id = (__u64)getpid() << 32 | (__u64)time(NULL);
	cfg->instance_id = id;
	cfg->lsm = !opt->dry_run;
	return 0;
}

/* ---- install: one policy into the inactive generation, then flip ------- */

static int wait_users(struct enforcer *en, unsigned int gen)
{
	for (int i = 0; i < 2000; i++) {
		if (!state_read(state_fd(en), MDEVVER_STATE_USERS0 + gen))
			return 0;
		usleep(1000);
	}
	return -EBUSY;
}

static int install(struct enforcer *en, struct policy *p, char *msg, size_t msgsz)
{
	unsigned int target = (unsigned int)(state_read(state_fd(en), MDEVVER_STATE_ACTIVE_GEN) & 1) ^ 1;
	struct policy_map_fds m = {
		.state = state_fd(en),
		.rules = bpf_map__fd(en->skel->maps.rules),
		.rule_names = bpf_map__fd(en->skel->maps.rule_names),
		.rule_index = bpf_map__fd(en->skel->maps.rule_index),
		.prefixes = bpf_map__fd(en->skel->maps.prefixes),
	};
	struct compiled_policy c;
	char err[512];
	int ret;

	if (policy_compile(p, target, en->opt->policy_path, &c, err, sizeof(err))) {
		snprintf(msg, msgsz, "%s", err);
		return -1;
	}
	ret = wait_users(en, target);
	if (ret) {
		snprintf(msg, msgsz, "generation %u still in use after 2 s", target);
		goto out;
	}
	if (policy_maps_write(&m, p, &c, target)) {
		snprintf(msg, msgsz, "writing the policy maps: %s", strerror(errno));
		ret = -1;
		goto out;
	}
	policy_free(&en->pol[target]);
	en->pol[target] = *p;
	memset(p, 0, sizeof(*p));
	en->active_gen = target;
	en->n_rules = c.n_rules;
	snprintf(msg, msgsz, "%zu rules in force (generation %u, at most %zu verified per index key)",
		 c.n_rules, target, c.largest_bucket);
	ret = 0;
out:
	compiled_policy_free(&c);
	return ret;
}

/* ---- learning the devices' own strings ---------------------------------- */

static struct enforcer *scan_en;

static bool is_mdev_attr(const char *path, const char *base)
{
	char dir[4096], link[4096 + 16];
	struct stat st;
	bool watched = false;
	char *slash;

	for (size_t i = 0; i < scan_en->n_attr_names; i++)
		watched = watched || !strcmp(base, scan_en->attr_names[i]);
	if (!watched)
		return false;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return false;
	*slash = '\0';
	/* an mdev device directory: it has an mdev_type link */
	snprintf(link, sizeof(link), "%s/mdev_type", dir);
	if (!lstat(link, &st) && S_ISLNK(st.st_mode))
		return true;
	/* a type directory: .../mdev_supported_types/TYPE/ */
	slash = strrchr(dir, '/');
	if (!slash)
		return false;
	*slash = '\0';
	slash = strrchr(dir, '/');
	return slash && !strcmp(slash + 1, "mdev_supported_types");
}

static int scan_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	struct mdevver_node node;
	unsigned char buf[MDEVVER_DATA_MAX];
	ssize_t n;
	__u64 ino;
	int fd;

	(void)sb;
	/* mdev parents sit a few levels down (behind PCI bridges); the
	 * rest of a big /sys/devices need not be walked */
	if (ftw->level > 12)
		return FTW_SKIP_SUBTREE;
	if (flag != FTW_F || !is_mdev_attr(path, path + ftw->base))
		return FTW_CONTINUE;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return FTW_CONTINUE;	/* e.g. a read rule: learned from others' reads */
	n = read(fd, buf, sizeof(buf));
	if (n > 0) {
		struct stat st;

		if (!fstat(fd, &st)) {
			policy_node_entry(&node, buf, (size_t)n);
			ino = st.st_ino;
			bpf_map_update_elem(bpf_map__fd(scan_en->skel->maps.nodes), &ino,
					    &node, BPF_ANY);
		}
	}
	close(fd);
	return FTW_CONTINUE;
}

void enforce_scan_nodes(struct enforcer *en, bool force)
{
	double t = now_s();

	if (!force && t < en->next_scan)
		return;
	en->next_scan = t + 1.0;
	scan_en = en;
	nftw("/sys/devices", scan_one, 32, FTW_PHYS | FTW_ACTIONRETVAL);
}

/* ---- pinning ------------------------------------------------------------ */

static int pin_path(char *buf, size_t sz, const char *what, const char *name)
{
	return snprintf(buf, sz, MDEVVER_PIN_DIR "/%s%s", what, name) >= (int)sz ? -1 : 0;
}

/* Replace the pinned links by ours, one by one: ours are attached already,
 * so at every instant at least one of each is enforcing. */
static int pin_all(struct enforcer *en, struct tracer *t, char *msg, size_t msgsz)
{
	char path[512];
	DIR *d;
	struct dirent *de;

	if (mkdir(MDEVVER_PIN_DIR, 0700) && errno != EEXIST) {
		snprintf(msg, msgsz, "creating %s: %s", MDEVVER_PIN_DIR, strerror(errno));
		return -1;
	}
	chmod(MDEVVER_PIN_DIR, 0700);
	for (size_t i = 0; i < N_SHARED; i++) {
		pin_path(path, sizeof(path), "", shared_maps[i]);
		if (!access(path, F_OK))
			continue;	/* adopted: already pinned, same map */
		if (bpf_map__pin(skel_map(en->skel, shared_maps[i]), path)) {
			snprintf(msg, msgsz, "pinning %.300s: %s", path, strerror(errno));
			return -1;
		}
	}
	for (size_t i = 0; i < t->n_links; i++) {
		pin_path(path, sizeof(path), "link_", t->link_progs[i]);
		unlink(path);	/* the old instance's link goes when unpinned */
		if (bpf_link__pin(t->links[i], path)) {
			snprintf(msg, msgsz, "pinning %.300s: %s", path, strerror(errno));
			return -1;
		}
	}
	/* old links of programs this instance does not use */
	d = opendir(MDEVVER_PIN_DIR);
	while (d && (de = readdir(d))) {
		bool ours = false;

		if (strncmp(de->d_name, "link_", 5))
			continue;
		for (size_t i = 0; i < t->n_links; i++)
			if (!strcmp(de->d_name + 5, t->link_progs[i]))
				ours = true;
		if (!ours) {
			pin_path(path, sizeof(path), "", de->d_name);
			unlink(path);
		}
	}
	if (d)
		closedir(d);
	/* the loss counters of the instance that keeps running after us */
	pin_path(path, sizeof(path), "", "bss");
	unlink(path);
	if (bpf_map__pin(en->skel->maps.bss, path)) {
		snprintf(msg, msgsz, "pinning %.300s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void read_adopted_loss(struct enforcer *en)
{
	struct mdevver_trace_bpf__bss old;
	__u32 zero = 0;
	int fd = bpf_obj_get(MDEVVER_PIN_DIR "/bss");

	if (fd < 0)
		return;
	if (!bpf_map_lookup_elem(fd, &zero, &old)) {
		__u64 total = 0;

		for (int c = 0; c < MDEVVER_CLASSES; c++)
			total += old.lost[c] + old.untracked[c];
		__u64 told = state_read(state_fd(en), MDEVVER_STATE_LOSS_REPORTED);

		/* only what the previous process had not shown already */
		en->adopted_lost = total > told ? total - told : 0;
	}
	close(fd);
}

int enforce_activate(struct enforcer *en, struct tracer *t, char *msg, size_t msgsz)
{
	struct policy p = en->pol[0];
	char why[512];

	en->skel = t->skel;
	memset(&en->pol[0], 0, sizeof(en->pol[0]));
	if (en->adopting) {
		read_adopted_loss(en);
		/* our programs report from now on; the old ones still enforce */
		state_set(en, MDEVVER_STATE_INSTANCE, t->skel->rodata->instance_id);
	} else {
		state_set(en, MDEVVER_STATE_LAYOUT, MDEVVER_ENFORCE_LAYOUT);
	}
	if (install(en, &p, why, sizeof(why))) {
		policy_free(&p);
		snprintf(msg, msgsz, "%s", why);
		return -1;
	}
	enforce_scan_nodes(en, true);
	state_set(en, MDEVVER_STATE_MODE, en->opt->dry_run ? MDEVVER_ENFORCE_DRY_RUN
							 : MDEVVER_ENFORCE_ON);
	if (!en->adopting)
		state_set(en, MDEVVER_STATE_INSTANCE, t->skel->rodata->instance_id);
	if (en->opt->pin && pin_all(en, t, why, sizeof(why))) {
		snprintf(msg, msgsz, "%s", why);
		return -1;
	}
	snprintf(msg, msgsz, "%s%s", en->adopting ? "adopted the pinned state; " : "",
		 en->opt->pin ? "pinned in " MDEVVER_PIN_DIR : "");
	return 0;
}

int enforce_reload(struct enforcer *en, char *msg, size_t msgsz)
{
	struct policy p;

	memset(&p, 0, sizeof(p));
	if (read_policy(en->opt->policy_path, &p, msg, msgsz))
		return -1;
	if (install(en, &p, msg, msgsz)) {
		policy_free(&p);
		return -1;
	}
	enforce_scan_nodes(en, true);
	return 0;
}

void enforce_note_reported_loss(struct enforcer *en, __u64 reported)
{
	if (en->skel)
		state_set(en, MDEVVER_STATE_LOSS_REPORTED, reported);
}

const char *enforce_rule_name(void *ctx, unsigned int gen, unsigned int id)
{
	struct enforcer *en = ctx;

	static struct mdevver_rule_name from_kernel;
	__u32 key = gen * MDEVVER_RULES_MAX + id;

	if (gen > 1 || id >= MDEVVER_RULES_MAX)
		return NULL;
	if (id < en->pol[gen].n_rules)
		return en->pol[gen].rules[id].name;
	/* a generation this process did not load (adopted): ask the map */
	if (!en->skel || bpf_map_lookup_elem(bpf_map__fd(en->skel->maps.rule_names),
					     &key, &from_kernel) || !from_kernel.name[0])
		return NULL;
	from_kernel.name[sizeof(from_kernel.name) - 1] = '\0';
	return from_kernel.name;
}

void enforce_finish(struct enforcer *en, bool keep_pinned)
{
	if (en->skel && !keep_pinned)
		state_set(en, MDEVVER_STATE_MODE, MDEVVER_ENFORCE_OFF);
	for (int g = 0; g < 2; g++)
		policy_free(&en->pol[g]);
	for (size_t i = 0; i < N_SHARED; i++)
		if (en->pinned_map_fds[i] >= 0)
			close(en->pinned_map_fds[i]);
}

/* ---- unpin and probes ---------------------------------------------------- */

/* The kernel lets go of a link in deferred work: wait until the ids are
 * gone, so that when unpin returns enforcement has really ended (unless an
 * enforce process still holds the programs: say so). */
static int wait_released(const __u32 *link_ids, const __u32 *prog_ids, int n)
{
	int held = 0;

	for (int i = 0; i < n; i++) {
		for (int t = 0; t < 500; t++) {
			int fd = bpf_link_get_fd_by_id(link_ids[i]);

			if (fd < 0)
				break;
			close(fd);
			usleep(10000);
		}
		for (int t = 0; t < 100; t++) {
			int fd = bpf_prog_get_fd_by_id(prog_ids[i]);

			if (fd < 0)
				break;
			close(fd);
			if (t == 99)
				held++;
			usleep(10000);
		}
	}
	return held;
}

int cmd_unpin(int argc, char **argv)
{
	__u32 link_ids[ATTACH_MAX_LINKS], prog_ids[ATTACH_MAX_LINKS];
	char path[512];
	struct dirent *de;
	int removed = 0, n_links = 0, held;
	DIR *d;

	if (argc > 1) {
		fprintf(stderr, "mdevver-trace: unpin takes no arguments (got '%s')\n", argv[1]);
		return 2;
	}
	d = opendir(MDEVVER_PIN_DIR);
	if (!d) {
		if (errno == ENOENT) {
			fprintf(stderr, "mdevver-trace: nothing pinned in %s\n", MDEVVER_PIN_DIR);
			return 0;
		}
		fprintf(stderr, "mdevver-trace: %s: %s\n", MDEVVER_PIN_DIR, strerror(errno));
		return 1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), MDEVVER_PIN_DIR "/%s", de->d_name);
		if (!strncmp(de->d_name, "link_", 5) && n_links < ATTACH_MAX_LINKS) {
			struct bpf_link_info info;
			__u32 len = sizeof(info);
			int fd = bpf_obj_get(path);

			memset(&info, 0, sizeof(info));
			if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len)) {
				link_ids[n_links] = info.id;
				prog_ids[n_links++] = info.prog_id;
			}
			if (fd >= 0)
				close(fd);
		}
		if (unlink(path)) {
			fprintf(stderr, "mdevver-trace: removing %s: %s\n", path, strerror(errno));
			closedir(d);
			return 1;
		}
		removed++;
	}
	closedir(d);
	if (rmdir(MDEVVER_PIN_DIR)) {
		fprintf(stderr, "mdevver-trace: removing %s: %s\n", MDEVVER_PIN_DIR, strerror(errno));
		return 1;
	}
	held = wait_released(link_ids, prog_ids, n_links);
	if (held)
		fprintf(stderr, "mdevver-trace: removed %d pinned objects from %s; a running enforce "
			"process still holds %d of its programs: enforcement ends when it exits\n",
			removed, MDEVVER_PIN_DIR, held);
	else
		fprintf(stderr, "mdevver-trace: removed %d pinned objects from %s; enforcement has ended\n",
			removed, MDEVVER_PIN_DIR);
	return 0;
}

void enforce_print_pinned(FILE *out, bool json)
{
	int fd = bpf_obj_get(MDEVVER_PIN_DIR "/enforce_state");
	__u64 gen, flags, mode;
	int links = 0;
	struct dirent *de;
	DIR *d;

	if (fd < 0) {
		if (json)
			fputs(",\"pinned\":null", out);
		else
			fprintf(out, "pinned enforcement: none (%s)\n", MDEVVER_PIN_DIR);
		return;
	}
	gen = state_read(fd, MDEVVER_STATE_ACTIVE_GEN) & 1;
	flags = state_read(fd, MDEVVER_STATE_GEN_FLAGS0 + gen);
	mode = state_read(fd, MDEVVER_STATE_MODE);
	close(fd);
	d = opendir(MDEVVER_PIN_DIR);
	while (d && (de = readdir(d)))
		links += !strncmp(de->d_name, "link_", 5);
	if (d)
		closedir(d);
	if (json)
		fprintf(out, ",\"pinned\":{\"dir\":\"%s\",\"links\":%d,\"mode\":\"%s\","
			"\"generation\":%llu,\"policy_loaded\":%s}", MDEVVER_PIN_DIR, links,
			mode == MDEVVER_ENFORCE_ON ? "on" : mode == MDEVVER_ENFORCE_DRY_RUN ?
			"dry-run" : "off", (unsigned long long)gen,
			flags & MDEVVER_GEN_LOADED ? "true" : "false");
	else
		fprintf(out, "pinned enforcement: %s, %d links, policy generation %llu %s (%s)\n",
			mode == MDEVVER_ENFORCE_ON ? "on" : "off", links,
			(unsigned long long)gen,
			flags & MDEVVER_GEN_LOADED ? "loaded" : "empty", MDEVVER_PIN_DIR);
}
