// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * privileges.c - least privilege (docs/privileges.md).
 *
 * Loading and attaching need CAP_BPF and CAP_PERFMON (enforce: also
 * CAP_MAC_ADMIN for the LSM program).  Once the programs are attached, the
 * sinks open (the metrics socket is bound, the audit log open) and the
 * enforcement state pinned, what the session still does is:
 *
 *   ring buffers and repeat slots   mmap'ed memory, epoll: no capability
 *   map reads/updates by fd (policy reload, local strings, enforce state),
 *   bpf_prog_info (kernel_missed)   bpf(2) through descriptors we hold:
 *                                   no capability, except on kernels that
 *                                   check bpf_capable() on every bpf(2)
 *                                   command (before 5.19, when
 *                                   kernel.unprivileged_bpf_disabled != 0):
 *                                   there CAP_BPF
 *   policy re-read (SIGHUP), audit log reopen (SIGUSR1), /sys reads and
 *   readlink (node facts, local strings), syslog: plain file access, by
 *                                   ownership and mode (as uid 0: root's files)
 *   detach at exit                  close(2) of link descriptors
 *
 * So everything is dropped but CAP_BPF where the kernel gates bpf(2) --
 * found by asking the kernel, in a child without capabilities -- in every
 * thread (capabilities are per thread; the metrics server has one).
 */
#define _GNU_SOURCE
#include <cap-ng.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "privileges.h"

/* linux/capability.h of kernels before 5.8 lacks them */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int last_cap(void)
{
	static int last = -1;
	FILE *f;

	if (last >= 0)
		return last;
	last = CAP_BPF + 1;	/* CAP_CHECKPOINT_RESTORE, 5.9 */
	f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	if (f) {
		if (fscanf(f, "%d", &last) != 1 || last < 0 || last > 63)
			last = CAP_BPF + 1;
		fclose(f);
	}
	return last;
}

static int capget_self(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };

	memset(d, 0, 2 * sizeof(*d));
	return (int)syscall(SYS_capget, &hdr, d);
}

capset_t privileges_effective(void)
{
	struct __user_cap_data_struct d[2];

	if (capget_self(d))
		return 0;
	return (capset_t)d[1].effective << 32 | d[0].effective;
}

capset_t privileges_permitted(void)
{
	struct __user_cap_data_struct d[2];

	if (capget_self(d))
		return 0;
	return (capset_t)d[1].permitted << 32 | d[0].permitted;
}

capset_t privileges_needed_to_load(bool enforce)
{
	return CAPSET_BIT(CAP_BPF) | CAPSET_BIT(CAP_PERFMON) |
	       (enforce ? CAPSET_BIT(CAP_MAC_ADMIN) : 0);
}

capset_t privileges_missing(bool enforce)
{
	capset_t eff = privileges_effective();
	capset_t need = privileges_needed_to_load(enforce);

	/* CAP_SYS_ADMIN stands for CAP_BPF and CAP_PERFMON (the kernel's
	 * bpf_capable() and perfmon_capable()), not for CAP_MAC_ADMIN */
	if (eff & CAPSET_BIT(CAP_SYS_ADMIN))
		need &= ~(CAPSET_BIT(CAP_BPF) | CAPSET_BIT(CAP_PERFMON));
	return need & ~eff;
}

static const char *names_sep(capset_t set, char *buf, size_t sz, bool and);

int privileges_require_enforce(void)
{
	capset_t missing = privileges_missing(true);
	char names[128];

	if (!missing)
		return 0;
	p_err("insufficient privileges: missing %s (enforce loads a BPF LSM program: it "
	      "needs CAP_BPF, CAP_PERFMON and CAP_MAC_ADMIN, or root); run it with sudo",
	      names_sep(missing, names, sizeof(names), true));
	return -1;
}

static void cap_name(int cap, char *buf, size_t sz)
{
	const char *n = capng_capability_to_name((unsigned int)cap);
	size_t i;

	if (!n) {
		snprintf(buf, sz, "CAP_%d", cap);
		return;
	}
	snprintf(buf, sz, "CAP_%s", n);
	for (i = 4; buf[i]; i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
}

static const char *names_sep(capset_t set, char *buf, size_t sz, bool and)
{
	size_t len = 0;
	int n = 0, total = __builtin_popcountll(set);

	buf[0] = '\0';
	if (!set) {
		snprintf(buf, sz, "none");
		return buf;
	}
	/* the tool's own first, then by number */
	static const int first[] = { CAP_BPF, CAP_PERFMON, CAP_MAC_ADMIN, CAP_SYS_ADMIN };
	capset_t left = set;

	for (int i = 0; left; i++) {
		int c = i < 4 ? first[i] : i - 4;
		char name[32];

		if (c >= 64 || !(left & CAPSET_BIT(c)))
			continue;
		left &= ~CAPSET_BIT(c);
		cap_name(c, name, sizeof(name));
		n++;
		len += snprintf(buf + len, len < sz ? sz - len : 0, "%s%s",
				n == 1 ? "" : and && n == total ? " and " : ", ", name);
	}
	return buf;
}

const char *privileges_names(capset_t set, char *buf, size_t sz)
{
	return names_sep(set, buf, sz, false);
}

const char *privileges_names_and(capset_t set, char *buf, size_t sz)
{
	return names_sep(set, buf, sz, true);
}

/*
 * Does this kernel check bpf_capable() on every bpf(2) command, even one on
 * a descriptor we already hold?  Kernels before 5.19 do when
 * kernel.unprivileged_bpf_disabled is set (since, only BPF_MAP_CREATE and
 * BPF_PROG_LOAD are checked).  Asked in a child that has no
 * capability at all: a lookup in map fd -1 fails with EPERM at that check,
 * else with EBADF.  1 gated (or unknown: keep), 0 not.
 */
static int bpf_syscall_gated(void)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return 1;
	if (pid == 0) {
		struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct d[2];
		union bpf_attr attr;
		long r;

		memset(d, 0, sizeof(d));
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = (__u32)-1;
		if (syscall(SYS_capset, &hdr, d))
			_exit(2);
		r = syscall(SYS_bpf, BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr));
		_exit(r < 0 && errno == EBADF ? 0 : 1);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/* kept: CAP_BPF (or CAP_SYS_ADMIN where that is what we have) when the
 * kernel gates bpf(2), else nothing. */
static capset_t kept_for(capset_t permitted, int gated)
{
	if (!gated)
		return 0;
	if (permitted & CAPSET_BIT(CAP_BPF))
		return CAPSET_BIT(CAP_BPF);
	if (permitted & CAPSET_BIT(CAP_SYS_ADMIN))
		return CAPSET_BIT(CAP_SYS_ADMIN);
	return 0;
}

capset_t privileges_kept(void)
{
	return kept_for(privileges_permitted(), bpf_syscall_gated());
}

/* ---- the drop, in every thread ------------------------------------------ */

/* What every thread applies: the main thread's state after libcap-ng. */
static struct {
	struct __user_cap_data_struct data[2];
	capset_t bound_drop;	/* to drop from the bounding set */
	int last;
} target;
static atomic_int threads_done, threads_failed;

/* Raw system calls only: runs in a signal handler. */
static int apply_here(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	int bad = 0;

	for (int c = 0; c <= target.last; c++)
		if ((target.bound_drop & CAPSET_BIT(c)) &&
		    prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, c, 0, 0, 0))
			bad = 1;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		bad = 1;
	if (syscall(SYS_capset, &hdr, target.data))
		bad = 1;
	return bad ? -1 : 0;
}

static void on_drop_signal(int sig)
{
	int saved = errno;

	(void)sig;
	if (apply_here())
		atomic_fetch_add(&threads_failed, 1);
	else
		atomic_fetch_add(&threads_done, 1);
	errno = saved;
}

/* A thread's Cap* lines match the target (CapEff, CapPrm, CapAmb 0). */
static bool task_matches(pid_t tid)
{
	capset_t want_eff = (capset_t)target.data[1].effective << 32 | target.data[0].effective;
	capset_t want_prm = (capset_t)target.data[1].permitted << 32 | target.data[0].permitted;
	char path[64], line[256];
	int seen = 0;
	bool ok = true;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return true;	/* gone */
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;

		if (sscanf(line, "CapEff: %llx", &v) == 1)
			ok = ok && v == want_eff, seen++;
		else if (sscanf(line, "CapPrm: %llx", &v) == 1)
			ok = ok && v == want_prm, seen++;
		else if (sscanf(line, "CapAmb: %llx", &v) == 1)
			ok = ok && v == 0, seen++;
	}
	fclose(f);
	return ok && seen >= 2;
}

/* Signal every other thread to apply the target; until all match. */
static int drop_in_other_threads(char *why, size_t whysz)
{
	struct sigaction sa, old;
	int sig = SIGRTMIN + 3, ret = 0;
	pid_t self = (pid_t)syscall(SYS_gettid);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_drop_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, &old)) {
		snprintf(why, whysz, "sigaction: %s", strerror(errno));
		return -1;
	}
	for (int round = 0; round < 5; round++) {
		int sent = 0, pending = 0;
		struct dirent *de;
		DIR *d = opendir("/proc/self/task");

		if (!d) {
			snprintf(why, whysz, "/proc/self/task: %s", strerror(errno));
			ret = -1;
			break;
		}
		atomic_store(&threads_done, 0);
		atomic_store(&threads_failed, 0);
		while ((de = readdir(d))) {
			pid_t tid = (pid_t)atoi(de->d_name);

			if (tid <= 0 || tid == self || task_matches(tid))
				continue;
			pending++;
			if (!syscall(SYS_tgkill, getpid(), tid, sig))
				sent++;
		}
		closedir(d);
		if (!pending)
			break;
		for (int i = 0; i < 2000 &&
		     atomic_load(&threads_done) + atomic_load(&threads_failed) < sent; i++) {
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
		}
		if (atomic_load(&threads_failed)) {
			snprintf(why, whysz, "a thread could not drop its capabilities");
			ret = -1;
			break;
		}
		if (round == 4) {
			snprintf(why, whysz, "a thread did not drop its capabilities");
			ret = -1;
		}
	}
	sigaction(sig, &old, NULL);
	return ret;
}

int privileges_drop(bool verbose)
{
	capset_t prm = privileges_permitted(), kept, bound = 0, extra = 0;
	bool can_bound = privileges_effective() & CAPSET_BIT(CAP_SETPCAP);
	char names[256], why[256];
	int rc, last = last_cap();

	kept = kept_for(prm, bpf_syscall_gated());
	if (capng_get_caps_process()) {
		p_err("cannot read this process's capabilities (libcap-ng)");
		return -1;
	}
	capng_clear(CAPNG_SELECT_ALL);
	for (int c = 0; c <= last; c++)
		if (kept & CAPSET_BIT(c))
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED |
				     CAPNG_BOUNDING_SET, (unsigned int)c);
	/* the bounding set only with CAP_SETPCAP (root); without it the
	 * permitted set is the limit already (we never execve) */
	rc = capng_apply(can_bound ? CAPNG_SELECT_ALL
				   : (capng_select_t)(CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT));
	if (rc) {
		p_err("cannot drop capabilities (libcap-ng error %d): %s", rc, strerror(errno));
		return -1;
	}
	if (privileges_permitted() != kept || privileges_effective() != kept) {
		p_err("dropping capabilities left %s", privileges_names(privileges_permitted() & ~kept,
									 names, sizeof(names)));
		return -1;
	}
	for (int c = 0; c <= last; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			bound |= CAPSET_BIT(c);
	/* the other threads: the same sets (the metrics server's) */
	memset(&target, 0, sizeof(target));
	capget_self(target.data);
	target.data[0].inheritable = target.data[1].inheritable = 0;
	target.last = last;
	target.bound_drop = can_bound ? ~bound : 0;
	if (drop_in_other_threads(why, sizeof(why))) {
		p_err("cannot drop capabilities in every thread: %s", why);
		return -1;
	}
	if (!verbose)
		return 0;
	extra = bound & ~kept;
	privileges_names(kept, names, sizeof(names));
	p_info("privileges after start: %s (%s); every other capability dropped%s%s",
	       names, kept ? "this kernel checks it on every bpf(2) call: maps, policy "
	       "reload, skip counts" : "bpf(2) on our own descriptors needs none here",
	       extra ? "" : ", bounding set too",
	       geteuid() == 0 ? "; uid 0: files are still opened as their owner, root" : "");
	return 0;
}
