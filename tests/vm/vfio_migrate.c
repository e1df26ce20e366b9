// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vfio_migrate.c - what QEMU does to an mdev device for a VFIO migration
 * (uAPI v2), one step at a time, for the VM tests with the kernel's mtty
 * sample driver (tests/vm/build-mtty.sh, tests/integration/mtty_tests.py).
 *
 *   vfio_migrate create TYPE UUID        write UUID to .../mdev_supported_types/TYPE/create
 *   vfio_migrate remove UUID             write 1 to /sys/bus/mdev/devices/UUID/remove
 *   vfio_migrate query UUID              open; migration feature flags, data size, state
 *   vfio_migrate migrate SRC DST [--no-precopy] [--corrupt=magic|truncate]
 *       source RUNNING -> (PRE_COPY ->) STOP_COPY, data fd read to EOF,
 *       -> STOP; target (-> STOP) -> RESUMING, data written, -> STOP ->
 *       RUNNING.  --corrupt flips the first byte (the driver's header
 *       magic) or writes only half of the data: a failed resume.
 *   vfio_migrate save UUID FILE [--no-precopy]   the source half, data to FILE
 *   vfio_migrate load UUID FILE [--corrupt=...]  the target half, data from FILE
 *   vfio_migrate set UUID STATE...       one SET per STATE, data fds closed unread
 *   vfio_migrate invalid UUID            arcs the kernel must refuse (-> ERROR,
 *                                        -> an undefined state); state unchanged
 *   vfio_migrate reset UUID              VFIO_DEVICE_RESET, then the state
 *   vfio_migrate --comm NAME SUBCOMMAND...   the same, as process name NAME
 *       (PR_SET_NAME), so a policy test has two processes told apart by
 *       comm (tests/integration/migration_tests.py, op=migrate rules)
 *
 * Every step prints one line of space-separated key=value pairs starting
 * with step=, e.g.
 *   step=set uuid=U from=RUNNING to=STOP_COPY rc=0 data_fd=yes state=STOP_COPY
 *   step=write uuid=U bytes=104 written=-1 rc=-1 errno=EFAULT
 * (rc=0, or rc=-1 errno=NAME), so a test knows exactly which state changes
 * were asked, what the kernel answered and how many bytes moved.  Each
 * device is opened the way QEMU does for a VFIO group: its own container
 * (/dev/vfio/vfio), VFIO_GROUP_SET_CONTAINER, VFIO_SET_IOMMU (type1; mdev
 * devices sit in an emulated IOMMU group), VFIO_GROUP_GET_DEVICE_FD(UUID).
 *
 * Like QEMU (vfio_migration_set_state: recover state ERROR -> reset), a
 * device whose state change failed is reset (step=reset why=...), and so is
 * one still in RESUMING when the program closes it: mtty's close_device
 * drops the resume file but keeps the state, and the next RESUMING -> STOP
 * would dereference NULL (seen on 6.12).
 *
 * Exit status: 0 when every step did what the subcommand wants (for
 * invalid: every arc refused; for --corrupt: the resume failed), 1
 * otherwise, 2 for a bad command line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <linux/vfio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <unistd.h>

/*
 * Migration states by number (enum vfio_device_mig_state of the uAPI).
 * PRE_COPY and PRE_COPY_P2P came with 6.2; the build host's linux-libc-dev
 * (6.1) lacks them, so all are spelled out here from include/uapi/linux/vfio.h.
 */
enum {
	MIG_ERROR = 0, MIG_STOP = 1, MIG_RUNNING = 2, MIG_STOP_COPY = 3,
	MIG_RESUMING = 4, MIG_RUNNING_P2P = 5, MIG_PRE_COPY = 6, MIG_PRE_COPY_P2P = 7,
};
_Static_assert((int)MIG_RUNNING_P2P == (int)VFIO_DEVICE_STATE_RUNNING_P2P, "uAPI state numbers");
static const char *const state_names[] = {
	"ERROR", "STOP", "RUNNING", "STOP_COPY", "RESUMING", "RUNNING_P2P", "PRE_COPY", "PRE_COPY_P2P",
};
#define NSTATES (int)(sizeof(state_names) / sizeof(state_names[0]))

/* Also 6.2+ uAPI, missing from the 6.1 header: values from include/uapi/linux/vfio.h. */
#ifndef VFIO_MIGRATION_PRE_COPY
#define VFIO_MIGRATION_PRE_COPY (1 << 2)
#endif
#ifndef VFIO_MIG_GET_PRECOPY_INFO
struct vfio_precopy_info {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 initial_bytes;
	__aligned_u64 dirty_bytes;
};
#define VFIO_MIG_GET_PRECOPY_INFO _IO(VFIO_TYPE, VFIO_BASE + 21)
#endif
#ifndef VFIO_DEVICE_FEATURE_MIG_DATA_SIZE
struct vfio_device_feature_mig_data_size {
	__aligned_u64 stop_copy_length;
};
#define VFIO_DEVICE_FEATURE_MIG_DATA_SIZE 9
#endif

static int failed;	/* a step went other than the subcommand wants */

static void usage(void)
{
	fprintf(stderr, "vfio_migrate: usage: [--comm NAME] create TYPE UUID | remove UUID | query UUID | "
		"migrate SRC DST [--no-precopy] [--corrupt=magic|truncate] | save UUID FILE [--no-precopy] | "
		"load UUID FILE [--corrupt=magic|truncate] | set UUID STATE... | invalid UUID | reset UUID\n");
	exit(2);
}

static void bad(const char *what, const char *arg)
{
	fprintf(stderr, "vfio_migrate: %s: '%s'\n", what, arg);
	exit(2);
}

/* " rc=0" or " rc=-1 errno=NAME" for the errno of the call just made */
static void rc_kv(int ok, int err)
{
	if (ok) {
		printf(" rc=0");
	} else {
		const char *n = strerrorname_np(err);

		if (n)
			printf(" rc=-1 errno=%s", n);
		else
			printf(" rc=-1 errno=%d", err);
	}
}

static const char *state_name(int s)
{
	static char buf[16];

	if (s >= 0 && s < NSTATES)
		return state_names[s];
	snprintf(buf, sizeof(buf), "%d", s);
	return buf;
}

static int parse_state(const char *s)
{
	for (int i = 0; i < NSTATES; i++)
		if (!strcmp(s, state_names[i]))
			return i;
	bad("unknown migration state", s);
	return -1;
}

static void check_uuid(const char *u)
{
	static const char pat[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (strlen(u) != sizeof(pat) - 1)
		bad("not a UUID", u);
	for (size_t i = 0; pat[i]; i++) {
		int hex = (u[i] >= '0' && u[i] <= '9') || (u[i] >= 'a' && u[i] <= 'f');

		if (pat[i] == '-' ? u[i] != '-' : !hex)
			bad("not a UUID (lower-case hex, 8-4-4-4-12)", u);
	}
}

static int write_attr(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	if (n < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

/* --- lifecycle through sysfs ------------------------------------------------ */

static int cmd_create(const char *type, const char *uuid)
{
	char pat[512], parent[256] = "?";
	glob_t g;
	int ok, err;

	for (const char *p = type; *p; p++)
		if (*p == '/' || *p == '*' || *p == '?' || *p == '[')
			bad("not an mdev type name", type);
	snprintf(pat, sizeof(pat), "/sys/class/mdev_bus/*/mdev_supported_types/%s/create", type);
	if (glob(pat, 0, NULL, &g) != 0 || g.gl_pathc != 1) {
		printf("step=create type=%s uuid=%s", type, uuid);
		rc_kv(0, ENOENT);
		printf(" why=%s\n", g.gl_pathc > 1 ? "ambiguous_type" : "no_such_type");
		globfree(&g);
		return 1;
	}
	/* .../mdev_bus/<parent>/mdev_supported_types/<type>/create */
	sscanf(g.gl_pathv[0], "/sys/class/mdev_bus/%255[^/]", parent);
	ok = write_attr(g.gl_pathv[0], uuid) == 0;
	err = errno;
	printf("step=create type=%s parent=%s uuid=%s", type, parent, uuid);
	rc_kv(ok, err);
	printf("\n");
	globfree(&g);
	return !ok;
}

static int cmd_remove(const char *uuid)
{
	char path[256];
	int ok, err;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove", uuid);
	ok = write_attr(path, "1") == 0;
	err = errno;
	printf("step=remove uuid=%s", uuid);
	rc_kv(ok, err);
	printf("\n");
	return !ok;
}

/* --- VFIO -------------------------------------------------------------------- */

struct dev {
	const char *uuid;
	int container, group, fd;
};

/* The group + container path QEMU takes; prints step=open. */
static int dev_open(struct dev *d, const char *uuid)
{
	char link[256], target[256], path[64];
	struct vfio_group_status st = { .argsz = sizeof(st) };
	const char *why = NULL, *iommu = "-";
	int type = 0, err = 0;
	ssize_t n;

	d->uuid = uuid;
	d->container = d->group = d->fd = -1;
	snprintf(link, sizeof(link), "/sys/bus/mdev/devices/%s/iommu_group", uuid);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0) {
		err = errno;
		why = "iommu_group";
		goto out;
	}
	target[n] = '\0';
	snprintf(path, sizeof(path), "/dev/vfio/%s", basename(target));
	d->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (d->container < 0) {
		err = errno;
		why = "open_container";
		goto out;
	}
	if (ioctl(d->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		err = EPROTO;
		why = "api_version";
		goto out;
	}
	if (ioctl(d->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0) {
		type = VFIO_TYPE1v2_IOMMU;
		iommu = "type1v2";
	} else if (ioctl(d->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0) {
		type = VFIO_TYPE1_IOMMU;
		iommu = "type1";
	} else {
		err = ENODEV;
		why = "no_type1";
		goto out;
	}
	d->group = open(path, O_RDWR | O_CLOEXEC);
	if (d->group < 0) {
		err = errno;
		why = "open_group";
		goto out;
	}
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &st) < 0 || !(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		err = errno ? errno : EBUSY;
		why = "group_not_viable";
		goto out;
	}
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container) < 0) {
		err = errno;
		why = "set_container";
		goto out;
	}
	if (ioctl(d->container, VFIO_SET_IOMMU, type) < 0) {
		err = errno;
		why = "set_iommu";
		goto out;
	}
	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (d->fd < 0) {
		err = errno;
		why = "get_device_fd";
	}
out:
	printf("step=open uuid=%s group=%s iommu=%s", uuid, why && !strcmp(why, "iommu_group") ? "-" : path, iommu);
	rc_kv(!why, err);
	if (why)
		printf(" why=%s", why);
	printf("\n");
	return why ? -1 : 0;
}

static int get_state(struct dev *d);
static void reset_dev(struct dev *d, const char *why);

/*
 * A device left in RESUMING must not be closed: mtty's close_device drops
 * its resume file but keeps the state, and the next RESUMING -> STOP then
 * dereferences the missing file (a NULL pointer oops on 6.12 and 7.2).
 * QEMU never leaves it so (it resets a device whose state change failed);
 * neither does this program.
 */
static void dev_close(struct dev *d)
{
	if (d->fd >= 0 && get_state(d) == MIG_RESUMING)
		reset_dev(d, "resuming_at_close");
	if (d->fd >= 0)
		close(d->fd);
	if (d->group >= 0)
		close(d->group);
	if (d->container >= 0)
		close(d->container);
	d->fd = d->group = d->container = -1;
}

/* VFIO_DEVICE_FEATURE with a payload of len bytes; returns the ioctl's result. */
static int feature(int fd, __u32 flags, void *payload, size_t len)
{
	uint64_t buf[(sizeof(struct vfio_device_feature) + 64) / 8] = { 0 };
	struct vfio_device_feature *f = (struct vfio_device_feature *)buf;
	int r;

	if (len > 64)
		abort();
	f->argsz = sizeof(*f) + len;
	f->flags = flags;
	memcpy(f->data, payload, len);
	r = ioctl(fd, VFIO_DEVICE_FEATURE, f);
	if (r >= 0)
		memcpy(payload, f->data, len);
	return r;
}

/* The current state, or -1 (errno set). */
static int get_state(struct dev *d)
{
	struct vfio_device_feature_mig_state ms = { .data_fd = -1 };

	if (feature(d->fd, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &ms, sizeof(ms)) < 0)
		return -1;
	return (int)ms.device_state;
}

static int print_state(struct dev *d)
{
	int s = get_state(d), err = errno;

	printf("step=state uuid=%s", d->uuid);
	rc_kv(s >= 0, err);
	if (s >= 0)
		printf(" state=%s", state_name(s));
	printf("\n");
	return s;
}

/* The migration feature flags (-1: none, errno set); prints step=feature. */
static long query_feature(struct dev *d)
{
	struct vfio_device_feature_migration m = { 0 };
	int ok = feature(d->fd, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION, &m, sizeof(m)) >= 0;
	int err = errno;

	printf("step=feature uuid=%s", d->uuid);
	rc_kv(ok, err);
	if (ok) {
		static const char *const fl[] = { "STOP_COPY", "P2P", "PRE_COPY" };
		const char *sep = "";

		printf(" flags=0x%llx names=", (unsigned long long)m.flags);
		for (unsigned int i = 0; i < 3; i++)
			if (m.flags & (1ULL << i)) {
				printf("%s%s", sep, fl[i]);
				sep = ",";
			}
		if (!*sep)
			printf("-");
	}
	printf("\n");
	errno = err;
	return ok ? (long)m.flags : -1;
}

static void query_data_size(struct dev *d)
{
	struct vfio_device_feature_mig_data_size ds = { 0 };
	int ok = feature(d->fd, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, &ds, sizeof(ds)) >= 0;
	int err = errno;

	printf("step=data_size uuid=%s", d->uuid);
	rc_kv(ok, err);
	if (ok)
		printf(" bytes=%llu", (unsigned long long)ds.stop_copy_length);
	printf("\n");
}

/*
 * One VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE SET; prints step=set with the
 * state before and after (both read back with GET).  *data_fd gets the
 * returned migration data fd or -1.  Returns 0 when the kernel accepted.
 */
static int set_state(struct dev *d, int to, int *data_fd)
{
	struct vfio_device_feature_mig_state ms = { .device_state = (__u32)to, .data_fd = -1 };
	int from = get_state(d), ok, err, after;

	ok = feature(d->fd, VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &ms, sizeof(ms)) >= 0;
	err = errno;
	after = get_state(d);
	printf("step=set uuid=%s from=%s", d->uuid, state_name(from));
	printf(" to=%s", state_name(to));
	rc_kv(ok, err);
	printf(" data_fd=%s state=%s\n", ok && ms.data_fd >= 0 ? "yes" : "no", state_name(after));
	if (data_fd)
		*data_fd = ok ? ms.data_fd : -1;
	else if (ok && ms.data_fd >= 0)
		close(ms.data_fd);
	errno = err;
	return ok ? 0 : -1;
}

/* VFIO_DEVICE_RESET, the way QEMU recovers a device whose state change
 * failed (vfio_migration_set_state: recover state ERROR -> reset). */
static void reset_dev(struct dev *d, const char *why)
{
	int ok = ioctl(d->fd, VFIO_DEVICE_RESET) >= 0, err = errno;

	printf("step=reset uuid=%s why=%s", d->uuid, why);
	rc_kv(ok, err);
	printf(" state=%s\n", state_name(get_state(d)));
}

static void precopy_info(struct dev *d, int data_fd)
{
	struct vfio_precopy_info pi = { .argsz = sizeof(pi) };
	int ok = ioctl(data_fd, VFIO_MIG_GET_PRECOPY_INFO, &pi) >= 0, err = errno;

	printf("step=precopy_info uuid=%s", d->uuid);
	rc_kv(ok, err);
	if (ok)
		printf(" initial_bytes=%llu dirty_bytes=%llu", (unsigned long long)pi.initial_bytes,
		       (unsigned long long)pi.dirty_bytes);
	printf("\n");
}

/* Reads data_fd until read returns 0, appending to *buf; prints step=read. */
static int drain(struct dev *d, int data_fd, const char *phase, char **buf, size_t *len, size_t *cap)
{
	size_t got = 0;
	ssize_t n;
	int err = 0;

	for (;;) {
		if (*cap - *len < 4096) {
			*cap = *cap ? *cap * 2 : 8192;
			*buf = realloc(*buf, *cap);
			if (!*buf) {
				fprintf(stderr, "vfio_migrate: out of memory\n");
				exit(1);
			}
		}
		n = read(data_fd, *buf + *len, *cap - *len);
		if (n < 0) {
			err = errno;
			break;
		}
		if (n == 0)
			break;
		*len += (size_t)n;
		got += (size_t)n;
	}
	printf("step=read uuid=%s phase=%s bytes=%zu", d->uuid, phase, got);
	rc_kv(!err, err);
	printf("\n");
	return err ? -1 : 0;
}

/* --- the two halves of a migration ---------------------------------------- */

/* Source: RUNNING -> (PRE_COPY ->) STOP_COPY, read, -> STOP.  0 on success. */
static int save(struct dev *d, int use_precopy, char **buf, size_t *len)
{
	size_t cap = 0;
	long flags = query_feature(d);
	int fd = -1, fd2 = -1;

	*buf = NULL;
	*len = 0;
	if (flags < 0)
		return -1;
	query_data_size(d);
	print_state(d);
	if (use_precopy && (flags & VFIO_MIGRATION_PRE_COPY)) {
		if (set_state(d, MIG_PRE_COPY, &fd) < 0)
			return -1;
		if (fd < 0) {
			printf("step=error uuid=%s why=no_data_fd_for_PRE_COPY\n", d->uuid);
			return -1;
		}
		precopy_info(d, fd);
		if (drain(d, fd, "pre_copy", buf, len, &cap) < 0)
			goto fail;
	}
	/* After PRE_COPY the kernel may hand out no new fd: the data continues on the first. */
	if (set_state(d, MIG_STOP_COPY, &fd2) < 0)
		goto fail;
	if (fd2 >= 0) {
		if (fd >= 0)
			close(fd);
		fd = fd2;
	}
	if (fd < 0) {
		printf("step=error uuid=%s why=no_data_fd_for_STOP_COPY\n", d->uuid);
		return -1;
	}
	if (drain(d, fd, "stop_copy", buf, len, &cap) < 0)
		goto fail;
	if (set_state(d, MIG_STOP, NULL) < 0)
		goto fail;
	close(fd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	reset_dev(d, "save_failed");
	return -1;
}

enum corrupt { CORRUPT_NONE, CORRUPT_MAGIC, CORRUPT_TRUNCATE };

/*
 * Target: (-> STOP) -> RESUMING, write, -> STOP -> RUNNING.  Returns 0 when
 * the device resumed.  On a failed write the RESUMING -> STOP arc is still
 * asked, as its answer is what the device makes of the partial data.
 */
static int load(struct dev *d, const char *data, size_t len, enum corrupt how)
{
	char *copy = NULL;
	size_t n = len;
	ssize_t w;
	int fd = -1, err, wok, cur;

	if (query_feature(d) < 0)
		return -1;
	cur = print_state(d);
	if (cur != MIG_STOP && set_state(d, MIG_STOP, NULL) < 0)
		return -1;
	if (set_state(d, MIG_RESUMING, &fd) < 0)
		return -1;
	if (fd < 0) {
		printf("step=error uuid=%s why=no_data_fd_for_RESUMING\n", d->uuid);
		return -1;
	}
	if (how == CORRUPT_MAGIC && len) {
		copy = malloc(len);
		if (!copy) {
			fprintf(stderr, "vfio_migrate: out of memory\n");
			exit(1);
		}
		memcpy(copy, data, len);
		copy[0] ^= 0xff;
		data = copy;
	} else if (how == CORRUPT_TRUNCATE) {
		n = len / 2;
	}
	w = write(fd, data, n);
	err = errno;
	wok = w >= 0;
	printf("step=write uuid=%s bytes=%zu written=%zd corrupt=%s", d->uuid, n, w,
	       how == CORRUPT_MAGIC ? "magic" : how == CORRUPT_TRUNCATE ? "truncate" : "none");
	rc_kv(wok, err);
	printf("\n");
	free(copy);
	if (set_state(d, MIG_STOP, NULL) < 0) {
		close(fd);
		reset_dev(d, "resume_failed");
		return -1;
	}
	close(fd);
	if (set_state(d, MIG_RUNNING, NULL) < 0)
		return -1;
	return wok && (size_t)w == n ? 0 : -1;
}

static void summary(const char *what, const char *src, const char *dst, size_t rd, size_t wr,
		    struct dev *s, struct dev *t, int result)
{
	printf("step=summary op=%s", what);
	if (src)
		printf(" src=%s", src);
	if (dst)
		printf(" dst=%s", dst);
	printf(" bytes_read=%zu bytes_written=%zu", rd, wr);
	if (s)
		printf(" src_state=%s", state_name(get_state(s)));
	if (t)
		printf(" dst_state=%s", state_name(get_state(t)));
	printf(" result=%s\n", result == 0 ? "ok" : "failed");
}

/* --- subcommands ---------------------------------------------------------- */

struct mig_opts {
	int precopy;
	enum corrupt corrupt;
};

static void parse_opts(int argc, char **argv, int first, struct mig_opts *o, int allow_precopy, int allow_corrupt)
{
	o->precopy = 1;
	o->corrupt = CORRUPT_NONE;
	for (int i = first; i < argc; i++) {
		if (allow_precopy && !strcmp(argv[i], "--no-precopy"))
			o->precopy = 0;
		else if (allow_corrupt && !strcmp(argv[i], "--corrupt=magic"))
			o->corrupt = CORRUPT_MAGIC;
		else if (allow_corrupt && !strcmp(argv[i], "--corrupt=truncate"))
			o->corrupt = CORRUPT_TRUNCATE;
		else
			bad("unknown option", argv[i]);
	}
}

static int cmd_migrate(const char *src, const char *dst, struct mig_opts *o)
{
	struct dev s, t;
	char *data = NULL;
	size_t len = 0, wr = 0;
	int r = -1;

	if (dev_open(&s, src) < 0)
		return 1;
	if (dev_open(&t, dst) < 0) {
		dev_close(&s);
		return 1;
	}
	if (save(&s, o->precopy, &data, &len) == 0) {
		r = load(&t, data, len, o->corrupt);
		wr = o->corrupt == CORRUPT_TRUNCATE ? len / 2 : len;
	}
	summary("migrate", src, dst, len, wr, &s, &t, r);
	free(data);
	dev_close(&s);
	dev_close(&t);
	/* with --corrupt the resume is meant to fail */
	return o->corrupt == CORRUPT_NONE ? r != 0 : r == 0;
}

static int cmd_save(const char *uuid, const char *file, struct mig_opts *o)
{
	struct dev d;
	char *data = NULL;
	size_t len = 0;
	int r;
	FILE *f;

	if (dev_open(&d, uuid) < 0)
		return 1;
	r = save(&d, o->precopy, &data, &len);
	if (r == 0) {
		f = fopen(file, "we");
		if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
			fprintf(stderr, "vfio_migrate: cannot write %s: %s\n", file, strerror(errno));
			r = -1;
		}
	}
	summary("save", uuid, NULL, len, 0, &d, NULL, r);
	free(data);
	dev_close(&d);
	return r != 0;
}

static int cmd_load(const char *uuid, const char *file, struct mig_opts *o)
{
	struct dev d;
	char data[65536];
	size_t len;
	int r;
	FILE *f = fopen(file, "re");

	if (!f) {
		fprintf(stderr, "vfio_migrate: cannot open %s: %s\n", file, strerror(errno));
		exit(2);
	}
	len = fread(data, 1, sizeof(data), f);
	fclose(f);
	if (dev_open(&d, uuid) < 0)
		return 1;
	r = load(&d, data, len, o->corrupt);
	summary("load", NULL, uuid, 0, o->corrupt == CORRUPT_TRUNCATE ? len / 2 : len, NULL, &d, r);
	dev_close(&d);
	return o->corrupt == CORRUPT_NONE ? r != 0 : r == 0;
}

static int cmd_query(const char *uuid)
{
	struct dev d;
	long flags;

	if (dev_open(&d, uuid) < 0)
		return 1;
	flags = query_feature(&d);
	if (flags >= 0) {
		query_data_size(&d);
		print_state(&d);
	}
	dev_close(&d);
	return 0;
}

static int cmd_set(const char *uuid, int n, char **states)
{
	struct dev d;
	int rc = 0;

	for (int i = 0; i < n; i++)
		parse_state(states[i]);
	if (dev_open(&d, uuid) < 0)
		return 1;
	for (int i = 0; i < n; i++)
		if (set_state(&d, parse_state(states[i]), NULL) < 0)
			rc = 1;
	dev_close(&d);
	return rc;
}

/* Arcs vfio_mig_get_next_state() refuses whatever the driver: ERROR (user
 * space may not ask for it) and a state number the uAPI does not define. */
static int cmd_invalid(const char *uuid)
{
	static const int bad_states[] = { MIG_ERROR, 99 };
	struct dev d;
	int rc = 0;

	if (dev_open(&d, uuid) < 0)
		return 1;
	for (size_t i = 0; i < sizeof(bad_states) / sizeof(bad_states[0]); i++) {
		int before = get_state(&d);

		if (set_state(&d, bad_states[i], NULL) == 0 || get_state(&d) != before)
			rc = 1;
	}
	dev_close(&d);
	return rc;
}

static int cmd_reset(const char *uuid)
{
	struct dev d;
	int ok, err;

	if (dev_open(&d, uuid) < 0)
		return 1;
	ok = ioctl(d.fd, VFIO_DEVICE_RESET) >= 0;
	err = errno;
	printf("step=reset uuid=%s", uuid);
	rc_kv(ok, err);
	printf("\n");
	print_state(&d);
	dev_close(&d);
	return !ok;
}

int main(int argc, char **argv)
{
	struct mig_opts o;
	const char *cmd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 3 && !strcmp(argv[1], "--comm")) {
		if (prctl(PR_SET_NAME, argv[2], 0, 0, 0)) {
			perror("vfio_migrate: PR_SET_NAME");
			return 2;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc < 3)
		usage();
	cmd = argv[1];
	if (!strcmp(cmd, "create") && argc != 4)
		usage();
	check_uuid(!strcmp(cmd, "create") ? argv[3] : argv[2]);
	if (!strcmp(cmd, "create") && argc == 4)
		failed = cmd_create(argv[2], argv[3]);
	else if (!strcmp(cmd, "remove") && argc == 3)
		failed = cmd_remove(argv[2]);
	else if (!strcmp(cmd, "query") && argc == 3)
		failed = cmd_query(argv[2]);
	else if (!strcmp(cmd, "migrate") && argc >= 4) {
		check_uuid(argv[3]);
		parse_opts(argc, argv, 4, &o, 1, 1);
		failed = cmd_migrate(argv[2], argv[3], &o);
	} else if (!strcmp(cmd, "save") && argc >= 4) {
		parse_opts(argc, argv, 4, &o, 1, 0);
		failed = cmd_save(argv[2], argv[3], &o);
	} else if (!strcmp(cmd, "load") && argc >= 4) {
		parse_opts(argc, argv, 4, &o, 0, 1);
		failed = cmd_load(argv[2], argv[3], &o);
	} else if (!strcmp(cmd, "set") && argc >= 4)
		failed = cmd_set(argv[2], argc - 3, argv + 3);
	else if (!strcmp(cmd, "invalid") && argc == 3)
		failed = cmd_invalid(argv[2]);
	else if (!strcmp(cmd, "reset") && argc == 3)
		failed = cmd_reset(argv[2]);
	else
		usage();
	return failed ? 1 : 0;
}
