/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * policy.bpf.h - the in-kernel policy matcher (enforcement mode).
 *
 * One judgement:
 *   j = judge_claim()                       a scratch slot, held until
 *                                           judge_release(j)
 *   judge_node(j, kn)                       attr / type / parent (found once
 *                                           per node, kept in places), and
 *                                           judge_local(): local
 *   judge_task(j)                           comm / uid / cgroup
 *   judge_remote_*(j, ...)                  the written bytes and their
 *                                           hash, or why not known
 *   judge_run(j)                            the bytes' rule prefixes, index
 *                                           lookups, verify candidates
 * What no rule of the generation looks at is not found out (the
 * MDEVVER_GEN_NO_* flags; judge_gen() keeps them in j->gen_flags).
 * judge_call() is node + task + run, the matcher every verdict uses; the
 * same for a migration state change (op=migrate) is judge_migrate():
 * judge_vfio (type / parent of the VFIO device) + task + state + run; the
 * one path around it (generation, slot, bytes, release) is policy_verdict()
 * in verdict.bpf.h.  tests/bpf/matcher_test.bpf.c runs judge_local,
 * judge_task_facts, the remote bytes and judge_run on given facts.
 * The maps are in maps.bpf.h, their layout in include/mdevver_enforce.h;
 * user/enforce/policy_compile.c compiles a policy into entries,
 * user/enforce/policy_maps.c writes them.
 */
#ifndef MDEVVER_POLICY_BPF_H
#define MDEVVER_POLICY_BPF_H

#include "capture.bpf.h"
#include "mdevver_enforce.h"
#include "vfio_dev.bpf.h"

static __always_inline __u64 enforce_mode(void)
{
	/* a plain tracer (no instance id) never enforces: only an enforcer
	 * writes the mode, into its own or pinned maps, which a tracer never
	 * reuses.  instance_id is rodata, so for a tracer the verifier drops
	 * every enforcement branch at load (the dry run's judgement inlined
	 * into each exit program was half of what it had to verify) */
	if (!instance_id)
		return MDEVVER_ENFORCE_OFF;
	return state_get(MDEVVER_STATE_MODE);
}

/*
 * Take a reference on the active generation.  The count goes up before gen
 * is trusted: if gen flipped in between, drop it and take the new one.  User
 * space rewrites a generation only after it is inactive *and* its count has
 * been seen at zero, so entries read under a reference never change.
 * Returns the generation, or -1 (never expected: three flips in a row).
 */
static __always_inline int policy_enter(void)
{
	__u32 k_gen = MDEVVER_STATE_ACTIVE_GEN;

	for (int i = 0; i < 3; i++) {
		__u64 *g = bpf_map_lookup_elem(&enforce_state, &k_gen);
		__u32 k_users;
		__u64 *users, gen;

		if (!g)
			return -1;
		gen = *g & 1;
		k_users = MDEVVER_STATE_USERS0 + gen;
		users = bpf_map_lookup_elem(&enforce_state, &k_users);
		if (!users)
			return -1;
		__sync_fetch_and_add(users, 1);
		if ((*(volatile __u64 *)g & 1) == gen)
			return gen;
		__sync_fetch_and_add(users, -1);
	}
	return -1;
}

static __always_inline void policy_exit(int gen)
{
	__u32 k_users = MDEVVER_STATE_USERS0 + (gen & 1);
	__u64 *users = bpf_map_lookup_elem(&enforce_state, &k_users);

	if (users)
		__sync_fetch_and_add(users, -1);
}

static __always_inline __u64 gen_flags(int gen)
{
	return state_get(MDEVVER_STATE_GEN_FLAGS0 + (gen & 1));
}

/*
 * The permission hook's decision for this thread's call (maps.bpf.h,
 * decisions; one entry per thread, by pid_tgid).  The entry stays when the
 * call is done and is rewritten in place by the thread's next judgement: an
 * LRU hash insertion and deletion per check cost more than all the lookups
 * together.  A decision no call may pick up any more has kn NULL.
 */
static __always_inline struct decision *thread_decision(void)
{
	__u64 id = bpf_get_current_pid_tgid();

	return bpf_map_lookup_elem(&decisions, &id);
}

/* d is picked up (or void): no later call of the thread takes it.  A ring
 * space promise (--strict) is released by the caller first. */
static __always_inline void decision_done(struct decision *d)
{
	d->kn = NULL;
	d->strict_admitted = 0;
}

/* Which generation this judgement uses, and what that generation holds. */
static __always_inline void judge_gen(struct judge *j, int gen)
{
	__u64 flags = gen_flags(gen);

	j->gen = gen;
	j->gen_flags = flags;
	j->kinds = flags >> MDEVVER_GEN_KIND_SHIFT;
}

static __always_inline struct judge *judge_claim(void)
{
	__u32 base = bpf_get_smp_processor_id() * JUDGE_TRIES;

	for (int i = 0; i < JUDGE_TRIES; i++) {
		__u32 k = (base + i) % JUDGE_SLOTS;
		struct judge *j = bpf_map_lookup_elem(&judges, &k);

		if (!j || __sync_val_compare_and_swap(&j->busy, 0, 1) != 0)
			continue;
		j->self = k;
		j->gen_flags = 0;	/* judge_gen(): nothing skipped until then */
		j->place_given = 0;
		j->known = 0;
		j->remote_missing = 0;
		j->n_keys = 0;
		j->rpfx.n = 0;
		j->lpfx.n = 0;
		j->best_action = MDEVVER_ACT_NONE;
		j->best_id = 0;
		j->best_fail_closed = 0;
		j->remote_len = 0;
		j->raw_len = 0;
		return j;
	}
	__sync_fetch_and_add(&judge_slots_busy, 1);
	return NULL;
}

static __always_inline void judge_release(struct judge *j)
{
	__sync_fetch_and_and(&j->busy, 0);
}

/* ---- hashing ----------------------------------------------------------- */

struct hash_ctx {
	struct judge *j;
	__u64 h;
};

/* FNV-1a is byte by byte; a loop step per byte cost more than the bytes
 * (a callback per byte): one step takes a word, low byte first (BPF is
 * little-endian here, as the host the rules were compiled on). */
static __always_inline __u64 hash_word(__u64 h, __u64 w, int n)
{
	for (int k = 0; k < 8; k++) {
		if (k >= n)
			break;
		h = mdevver_hash_step(h, w & 0xff);
		w >>= 8;
	}
	return h;
}

static long hash_step8(__u32 i, struct hash_ctx *c)
{
	__u64 w;

	w = c->j->words[i & (MDEVVER_DATA_MAX / 8 - 1)];
	c->h = hash_word(c->h, w, 8);
	return 0;
}

/* FNV-1a of j->bytes[0..len) */
static __always_inline __u64 hash_bytes(struct judge *j, __u32 len)
{
	struct hash_ctx c = { .j = j, .h = MDEVVER_FNV_OFFSET };
	__u32 tail;
	__u64 w;

	if (len > MDEVVER_DATA_MAX)
		len = MDEVVER_DATA_MAX;
	bpf_loop(len / 8, hash_step8, &c, 0);
	tail = len & 7;
	if (!tail)
		return c.h;
	/* bytes[] is two pages: a word read at the tail stays inside */
	w = j->words[(len / 8) & (MDEVVER_DATA_MAX / 8 - 1)];
	return hash_word(c.h, w, tail);
}

/* FNV-1a of a kernel string (a kernfs name), into j->name first. */
static __always_inline __u64 hash_kstr(struct judge *j, const char *s)
{
	__u64 h = MDEVVER_FNV_OFFSET;
	long n;

	n = bpf_probe_read_kernel_str(j->name, sizeof(j->name), s);
	if (n <= 0)
		return 0;
	for (int i = 0; i < MDEVVER_NAME_MAX; i++) {
		if (i >= n - 1)
			break;
		h = mdevver_hash_step(h, j->name[i]);
	}
	return h;
}

/* ---- the attribute ------------------------------------------------------ */

/* The device's own string as learned for node ino (learn_local() or
 * enforce's scan, into nodes): its hash, and through the same trie as the
 * written bytes, the rule prefixes it starts with.  Unknown if not learned. */
static __always_inline void judge_local(struct judge *j, __u64 ino)
{
	struct mdevver_node *learned;
	struct mdevver_prefix_set *ps;
	__u32 n;

	/* no rule asks: neither the lookup nor the prefixes */
	if (j->gen_flags & MDEVVER_GEN_NO_LOCAL)
		return;
	learned = bpf_map_lookup_elem(&nodes, &ino);
	if (!learned || !(learned->flags & MDEVVER_NODE_LOCAL))
		return;
	j->local_hash = learned->local_hash;
	j->known |= MDEVVER_RK_LOCAL | MDEVVER_RK_LOCAL_PREFIX;
	n = learned->local_len;
	if (n > MDEVVER_PREFIX_MAX)
		n = MDEVVER_PREFIX_MAX;
	j->lpm.prefixlen = 8 * (1 + n);
	j->lpm.data[0] = j->gen;
	barrier_var(n);
	n &= 0xff;
	if (n && bpf_probe_read_kernel(j->lpm.data + 1, n, learned->local))
		return;
	ps = bpf_map_lookup_elem(&prefixes, &j->lpm);
	if (ps)
		j->lpfx = *ps;
}

/*
 * Where the attribute sits, found out from the directories: into p.
 * Returns false when kn is not an mdev version attribute: neither in a type
 * directory (.../mdev_supported_types/TYPE/) nor in an mdev device
 * directory (one with an mdev_type link).
 */
static __always_inline bool find_place(struct judge *j, struct kernfs_node *kn,
				       struct node_place *p)
{
	struct kernfs_node *dir = kn_parent(kn), *gp, *link;

	/* the one definition of an mdev attribute (scope.bpf.h) */
	p->scope = mdev_place(j->name, kn, &link);
	if (!p->scope)
		return false;
	gp = kn_parent(dir);
	p->attr_hash = hash_kstr(j, BPF_CORE_READ(kn, name));
	p->type_hash = 0;
	p->known = MDEVVER_RK_ATTR | MDEVVER_RK_PARENT;
	if (p->scope == MDEVVER_F_SCOPE_TYPE) {
		p->type_hash = hash_kstr(j, BPF_CORE_READ(dir, name));
		p->parent_hash = hash_kstr(j, BPF_CORE_READ(kn_parent(gp), name));
		p->known |= MDEVVER_RK_TYPE;
	} else {
		p->parent_hash = hash_kstr(j, BPF_CORE_READ(gp, name));
		link = BPF_CORE_READ(link, symlink.target_kn);
		if (link) {
			p->type_hash = hash_kstr(j, BPF_CORE_READ(link, name));
			p->known |= MDEVVER_RK_TYPE;
		}
	}
	return true;
}

/*
 * Where the attribute (kernfs node id j->node_id) sits: from places when
 * an earlier judgement found out (one lookup), else from the directories.
 * Returns false when kn is not an mdev version attribute.
 */
static __always_inline bool judge_node(struct judge *j, struct kernfs_node *kn)
{
	__u64 ino = j->node_id;
	struct node_place *p = &j->place;

	/* the caller looked it up already (the permission hook) */
	if (!j->place_given)
		p = bpf_map_lookup_elem(&places, &ino);
	if (!p) {
		p = &j->place;
		if (!find_place(j, kn, p))
			return false;
		bpf_map_update_elem(&places, &ino, p, BPF_ANY);
	}
	j->scope = p->scope;
	j->attr_hash = p->attr_hash;
	j->type_hash = p->type_hash;
	j->parent_hash = p->parent_hash;
	j->known |= p->known;
	judge_local(j, ino);
	return true;
}

/* ---- a VFIO device (op=migrate) ------------------------------------------ */

/* Type and parent of the device a state change is asked of.  Both are
 * known: a device that is not an mdev device has no type (hash 0, which no
 * rule's type= hashes to), so type= rules never match it. */
static __always_inline void judge_vfio(struct judge *j, struct device *dev,
				       const char *type)
{
	const char *s;

	j->type_hash = 0;
	j->parent_hash = 0;
	j->known |= MDEVVER_RK_TYPE | MDEVVER_RK_PARENT;
	if (!dev)
		return;
	s = BPF_CORE_READ(dev, parent, kobj.name);
	if (s)
		j->parent_hash = hash_kstr(j, s);
	if (type)
		j->type_hash = hash_kstr(j, type);
}

/* The caller's facts, with j->comm filled (16 bytes, NUL padded: hashed
 * as policy_compile.c hashes comm=). */
static __always_inline void judge_task_facts(struct judge *j, __u8 op,
					     __u32 uid, __u64 cgroup)
{
	__u64 h = MDEVVER_FNV_OFFSET;

	j->op = op;
	j->uid = uid;
	j->cgroup = cgroup;
	for (int i = 0; i < MDEVVER_TASK_COMM_LEN; i++)
		h = mdevver_hash_step(h, j->comm[i]);
	j->comm_hash = h;
	j->known |= MDEVVER_RK_OP | MDEVVER_RK_COMM | MDEVVER_RK_UID |
		    MDEVVER_RK_CGROUP;
}

static __always_inline void judge_task(struct judge *j, __u8 op)
{
	/* no rule asks who: only the op (judge_run() files no comm, uid or
	 * cgroup key, rule_holds() reads them only for a rule that has them) */
	if (j->gen_flags & MDEVVER_GEN_NO_TASK) {
		j->op = op;
		j->known |= MDEVVER_RK_OP;
		return;
	}
	__builtin_memset(j->comm, 0, sizeof(j->comm));
	bpf_get_current_comm(j->comm, sizeof(j->comm));
	judge_task_facts(j, op, (__u32)bpf_get_current_uid_gid(),
			 bpf_get_current_cgroup_id());
}

/* ---- the written bytes ------------------------------------------------ */

/* j->bytes[0..len) holds the bytes: hash them (one trailing newline does
 * not count); judge_run() finds the rule prefixes they start with. */
static __always_inline void remote_known(struct judge *j, __u32 len)
{
	if (len > MDEVVER_DATA_MAX)
		len = MDEVVER_DATA_MAX;
	j->raw_len = len;
	if (len && j->bytes[(len - 1) & (MDEVVER_DATA_MAX - 1)] == '\n')
		len--;
	j->remote_len = len;
	j->remote_hash = hash_bytes(j, len);
	j->known |= MDEVVER_RK_REMOTE | MDEVVER_RK_REMOTE_PREFIX;
}

/* Every rule prefix the known remote bytes start with (a trie lookup),
 * unless no rule has one.  Apart from remote_known(): the store's re-check
 * compares the hash first and needs the prefixes only when it judges. */
static __always_inline void remote_prefixes(struct judge *j)
{
	struct mdevver_prefix_set *ps;
	__u64 n = j->remote_len;

	if (!(j->known & MDEVVER_RK_REMOTE) ||
	    (j->gen_flags & MDEVVER_GEN_NO_REMOTE_PREFIX))
		return;
	if (n > MDEVVER_PREFIX_MAX)
		n = MDEVVER_PREFIX_MAX;
	j->lpm.prefixlen = 8 * (1 + n);
	j->lpm.data[0] = j->gen;
	/* hide the range from clang, give the verifier a mask it can use:
	 * lpm.data is followed by bytes[], so 255 stays inside the value */
	barrier_var(n);
	n &= 0xff;
	if (n && bpf_probe_read_kernel(j->lpm.data + 1, n, j->bytes))
		return;
	ps = bpf_map_lookup_elem(&prefixes, &j->lpm);
	if (ps)
		j->rpfx = *ps;
}

static __always_inline void remote_unknown(struct judge *j, __u32 why)
{
	j->remote_missing = why;
}

/* Bytes in kernel memory (the store's copy). */
static __always_inline void judge_remote_kernel(struct judge *j,
						const void *buf, __u64 len)
{
	__u64 n = len;

	barrier_var(n);
	if (n > MDEVVER_DATA_MAX)
		n = MDEVVER_DATA_MAX;
	if (n && bpf_probe_read_kernel(j->bytes, n, buf)) {
		remote_unknown(j, MDEVVER_UNK_REMOTE_FAULT);
		return;
	}
	remote_known(j, n);
}

/* A writev's pieces: all of them, or the bytes count as unknown. */
static __always_inline void judge_remote_iov(struct judge *j,
					     const struct iovec *vec,
					     __u64 iovcnt)
{
	__u64 total;
	long got = gather_iov((char *)j->bytes, vec, iovcnt, &total);

	if (got < 0)
		return remote_unknown(j, MDEVVER_UNK_REMOTE_FAULT);
	if (iovcnt > MDEVVER_IOV_MAX || total > (__u64)got)
		return remote_unknown(j, MDEVVER_UNK_REMOTE_LONG);
	remote_known(j, got);
}

/*
 * At permission time the bytes are still in the writer's memory: find them
 * through the system call being served (write, pwrite64, writev, pwritev,
 * pwritev2 on this very file).  Anything else - io_uring, splice, sendfile,
 * a 32-bit caller - carries no user buffer we can name: unknown, and the
 * deny rules that need the bytes then fail closed.
 */
/* Is fd the task's descriptor of file?  task is a BTF pointer: plain
 * loads down to the table, one helper call for its slot (fd_file() of
 * compat.bpf.h reads every step through a helper). */
static __always_inline bool task_fd_is(struct task_struct *task, long fd,
				       struct file *file)
{
	struct fdtable *fdt = task->files->fdt;
	struct file **fds, *f = NULL;

	if (fd < 0 || (unsigned long)fd >= fdt->max_fds)
		return false;
	fds = fdt->fd;
	return !bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) && f == file;
}

static __always_inline void judge_remote_syscall(struct judge *j,
						 struct file *file)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs;
	long nr, fd;
	__u64 count;
	const void *buf;

	/* task and regs are BTF pointers: plain loads, no helper calls */
	if (task->flags & PF_IO_WORKER)
		return remote_unknown(j, MDEVVER_UNK_REMOTE_NOBUF);
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (!regs)
		return remote_unknown(j, MDEVVER_UNK_REMOTE_NOBUF);
	nr = regs->orig_ax;
	fd = regs->di;
	buf = (const void *)regs->si;
	count = regs->dx;
	if (nr != NR_WRITE && nr != NR_PWRITE64 && nr != NR_WRITEV &&
	    nr != NR_PWRITEV && nr != NR_PWRITEV2)
		return remote_unknown(j, MDEVVER_UNK_REMOTE_NOBUF);
	if (!task_fd_is(task, fd, file))
		return remote_unknown(j, MDEVVER_UNK_REMOTE_NOBUF);
	if (nr == NR_WRITEV || nr == NR_PWRITEV || nr == NR_PWRITEV2)
		return judge_remote_iov(j, buf, count);
	if (count > MDEVVER_DATA_MAX)
		return remote_unknown(j, MDEVVER_UNK_REMOTE_LONG);
	barrier_var(count);
	if (count > MDEVVER_DATA_MAX)
		count = MDEVVER_DATA_MAX;
	if (count && bpf_probe_read_user(j->bytes, count, buf))
		return remote_unknown(j, MDEVVER_UNK_REMOTE_FAULT);
	remote_known(j, count);
}

/* ---- matching --------------------------------------------------------- */

static __always_inline void add_key(struct judge *j, __u16 kind, __u64 value)
{
	__u32 n = j->n_keys;

	/* nobody filed a rule under this kind: nothing to look up */
	if (!(j->kinds & (1u << kind)))
		return;
	if (n >= JUDGE_KEYS_MAX)
		return;
	j->n_keys = n + 1;
	barrier_var(n);
	n &= JUDGE_KEYS_MAX - 1;
	j->keys[n].kind = kind;
	j->keys[n].value = value;
}

static __always_inline bool in_set(const struct mdevver_prefix_set *s, __u64 id)
{
	for (int i = 0; i < MDEVVER_PREFIX_DEPTH; i++) {
		if ((__u32)i >= s->n)
			break;
		if (s->id[i] == id)
			return true;
	}
	return false;
}

/* Does rule r hold for this check?  *unk: unknown facts it was given. */
static __always_inline bool rule_holds(struct judge *j,
				       const struct mdevver_rule *r, __u32 *unk)
{
	__u32 keys = r->keys;
	bool eq;

	*unk = 0;
	if (keys & MDEVVER_RK_OP) {
		if (r->op != j->op)
			return false;
	} else if (j->op != MDEVVER_OP_CHECK) {
		return false;	/* rules without op= judge checks only */
	}
	if (keys & (MDEVVER_RK_REMOTE | MDEVVER_RK_REMOTE_PREFIX)) {
		if (j->op != MDEVVER_OP_CHECK)
			return false;
		if (!(j->known & MDEVVER_RK_REMOTE))
			*unk |= j->remote_missing;
		else if (keys & MDEVVER_RK_REMOTE ? r->remote != j->remote_hash
						  : !in_set(&j->rpfx, r->remote))
			return false;
	}
	if (keys & (MDEVVER_RK_LOCAL | MDEVVER_RK_LOCAL_PREFIX)) {
		if (!(j->known & MDEVVER_RK_LOCAL))
			*unk |= MDEVVER_UNK_LOCAL;
		else if (keys & MDEVVER_RK_LOCAL ? r->local != j->local_hash
						 : !in_set(&j->lpfx, r->local))
			return false;
	}
	if (keys & MDEVVER_RK_TYPE) {
		if (!(j->known & MDEVVER_RK_TYPE))
			*unk |= MDEVVER_UNK_TYPE;
		else if (r->type != j->type_hash)
			return false;
	}
	if ((keys & MDEVVER_RK_PARENT) && r->parent != j->parent_hash)
		return false;
	if ((keys & MDEVVER_RK_STATE) &&
	    (j->op != MDEVVER_OP_MIGRATE || r->state != j->state))
		return false;
	if ((keys & MDEVVER_RK_ATTR) && r->attr != j->attr_hash)
		return false;
	if (keys & MDEVVER_RK_COMM) {
		__u64 a0, a1, b0, b1;

		/* two words, not a byte loop: one branch for the verifier */
		__builtin_memcpy(&a0, r->comm, 8);
		__builtin_memcpy(&a1, r->comm + 8, 8);
		__builtin_memcpy(&b0, j->comm, 8);
		__builtin_memcpy(&b1, j->comm + 8, 8);
		eq = !((a0 ^ b0) | (a1 ^ b1));
		if (eq == !!(r->negate & MDEVVER_RK_COMM))
			return false;
	}
	if (keys & MDEVVER_RK_UID) {
		eq = r->uid == j->uid;
		if (eq == !!(r->negate & MDEVVER_RK_UID))
			return false;
	}
	if (keys & MDEVVER_RK_CGROUP) {
		eq = r->cgroup == j->cgroup;
		if (eq == !!(r->negate & MDEVVER_RK_CGROUP))
			return false;
	}
	/* an audit mark needs facts; only a deny fails closed on unknowns */
	return !*unk || r->action == MDEVVER_ACT_DENY;
}

static long check_slot(__u32 i, struct judge **jp)
{
	struct judge *j = *jp;
	struct mdevver_rule_list *list;
	struct mdevver_rule *r;
	__u32 slot = i % MDEVVER_BUCKET_MAX, id, key, unk;

	j->cur.page = i / MDEVVER_BUCKET_MAX;
	list = bpf_map_lookup_elem(&rule_index, &j->cur);
	if (!list || slot >= list->n)
		return 1;	/* end of this bucket */
	id = list->id[slot & (MDEVVER_BUCKET_MAX - 1)];
	if (id >= MDEVVER_RULES_MAX)
		return 0;
	key = (j->gen & 1) * MDEVVER_RULES_MAX + id;
	r = bpf_map_lookup_elem(&rules, &key);
	if (!r || !rule_holds(j, r, &unk))
		return 0;
	if (j->best_action == MDEVVER_ACT_NONE ||
	    (r->action == MDEVVER_ACT_DENY && j->best_action != MDEVVER_ACT_DENY) ||
	    (r->action == j->best_action && id < j->best_id)) {
		j->best_action = r->action;
		j->best_id = id;
		j->best_fail_closed = unk;
	}
	return 0;
}

static long scan_key(__u32 i, struct judge **jp)
{
	struct judge *j = *jp;

	if (i >= JUDGE_KEYS_MAX)
		return 1;
	barrier_var(i);
	i &= JUDGE_KEYS_MAX - 1;
	j->cur.gen = j->gen;
	j->cur.kind = j->keys[i].kind;
	j->cur.value = j->keys[i].value;
	j->cur.page = 0;
	bpf_loop(MDEVVER_BUCKET_PAGES * MDEVVER_BUCKET_MAX, check_slot, jp, 0);
	return 0;
}

/* Collect the index keys this check has, then verify their rules. */
static __always_inline void judge_run(struct judge *j)
{
	struct judge **jp = &j;

	if (j->op == MDEVVER_OP_CHECK) {
		remote_prefixes(j);
		if (j->known & MDEVVER_RK_REMOTE) {
			add_key(j, MDEVVER_IDX_REMOTE, j->remote_hash);
			for (int i = 0; i < MDEVVER_PREFIX_DEPTH; i++)
				if ((__u32)i < j->rpfx.n)
					add_key(j, MDEVVER_IDX_PREFIX, j->rpfx.id[i]);
		} else {
			/* the deny rules filed under remote, to fail closed */
			add_key(j, MDEVVER_IDX_UNK_REMOTE, 0);
		}
	}
	/* a state change has no attribute: no local string, no attr */
	if (j->op == MDEVVER_OP_MIGRATE) {
		add_key(j, MDEVVER_IDX_STATE, j->state);
	} else if (j->known & MDEVVER_RK_LOCAL) {
		add_key(j, MDEVVER_IDX_LOCAL, j->local_hash);
		for (int i = 0; i < MDEVVER_PREFIX_DEPTH; i++)
			if ((__u32)i < j->lpfx.n)
				add_key(j, MDEVVER_IDX_LOCAL_PREFIX, j->lpfx.id[i]);
	} else {
		add_key(j, MDEVVER_IDX_UNK_LOCAL, 0);
	}
	if (j->known & MDEVVER_RK_TYPE)
		add_key(j, MDEVVER_IDX_TYPE, j->type_hash);
	else
		add_key(j, MDEVVER_IDX_UNK_TYPE, 0);
	add_key(j, MDEVVER_IDX_PARENT, j->parent_hash);
	if (j->op != MDEVVER_OP_MIGRATE)
		add_key(j, MDEVVER_IDX_ATTR, j->attr_hash);
	add_key(j, MDEVVER_IDX_COMM, j->comm_hash);
	add_key(j, MDEVVER_IDX_UID, j->uid);
	add_key(j, MDEVVER_IDX_CGROUP, j->cgroup);
	add_key(j, MDEVVER_IDX_OTHER, 0);
	bpf_loop(j->n_keys, scan_key, jp, 0);
}

/*
 * The one verdict path of the permission hook, the store's re-check and the
 * dry run: with the generation and the remote facts in j (the caller's
 * part), judge the node, the task and the rules.  Returns 1 when kn is an
 * mdev version attribute and was judged (j->best_*), 0 when it is not.
 *
 * A global function, so the verifier checks it once per program rather than
 * once per path that reaches it (the exit programs' paths multiplied its
 * cost several times over).  The judgement comes as the index of the slot
 * the caller claimed; kn as a number: a kernel pointer that is only ever
 * read through bpf_probe_read_kernel.
 */
__noinline int judge_call(__u32 slot, __u64 kn, __u64 kn_id, __u32 op)
{
	/* the claimed slot, looked up again: a map value, which helpers take
	 * as a key (a pointer argument would be plain memory to the verifier) */
	struct judge *j = bpf_map_lookup_elem(&judges, &slot);

	if (!j)
		return 0;
	j->node_id = kn_id;
	if (!judge_node(j, (struct kernfs_node *)kn))
		return 0;
	judge_task(j, op);
	judge_run(j);
	return 1;
}

/*
 * The matcher for a migration state change (op=migrate) of the VFIO device
 * dev (a kernel pointer, as a number) to state: global for the same reason
 * as judge_call().  The caller reads the mdev type's name (type: a kernel
 * pointer or 0): a global function's CO-RE relocations are resolved for
 * every load, and one against a module type (struct mdev_device) makes
 * libbpf walk the module BTFs, which needs CAP_SYS_ADMIN -- a tracer run
 * with CAP_BPF+CAP_PERFMON alone could not load at all.  In the callers,
 * the relocation is resolved only where they are loaded.
 */
__noinline int judge_migrate(__u32 slot, __u64 dev, __u64 type, __u32 state)
{
	struct judge *j = bpf_map_lookup_elem(&judges, &slot);

	if (!j)
		return 0;
	judge_vfio(j, (struct device *)dev, (const char *)type);
	j->state = state;
	judge_task(j, MDEVVER_OP_MIGRATE);
	judge_run(j);
	return 1;
}

#endif /* MDEVVER_POLICY_BPF_H */
