#!/bin/busybox sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# shellcheck shell=dash
# tests/vm/guest-init.sh - /init (PID 1) of the VM test bed's initramfs.
#
# Turns the guest into "the host, with a different kernel": mounts the host's
# root (9p, read-only) on /host, the run's writable results share on top of
# the same absolute path inside it, the kernel filesystems the tracer and the
# tests need, loads the test module, runs the job run.sh wrote, records its
# exit status and powers off.  All configuration comes from run.sh: the
# results path on the kernel command line (mdevver.out=), everything else in
# <out>/vm-guest.conf and <out>/vm-job.sh.
#
# Errors before the results share is mounted only reach the console log;
# later ones are also written to <out>/vm-error for run.sh to report.

/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

OUT=
TOP=
OUT_MOUNTED=0
# shellcheck disable=SC2013 # the command line is a list of words
for w in $(cat /proc/cmdline); do
	case $w in
	mdevver.out=*) OUT=${w#mdevver.out=} ;;
	mdevver.top=*) TOP=${w#mdevver.top=} ;;
	esac
done

msg() { echo "vm-guest: $*"; }

halt_vm() {
	sync
	poweroff -f
	# poweroff -f does not return; if it ever does, do not let PID 1 exit
	# (a panic would still end the VM via panic=-1, but less legibly).
	echo o >/proc/sysrq-trigger
	sleep 30
}

die() {
	msg "error: $*"
	if [ "$OUT_MOUNTED" = 1 ]; then
		echo "$*" >"/host$OUT/vm-error"
	fi
	halt_vm
}

[ -n "$OUT" ] || die "no mdevver.out= on the kernel command line"

# virtio + 9p, numbered in dependency order by initramfs.sh.
for m in /lib/modules/*.ko; do
	[ -e "$m" ] || continue
	insmod "$m" || die "insmod $m failed"
done

# Large msize: fewer round trips for the big reads of binaries and BTF.
# cache=loose is safe for the read-only root (nothing changes it during a
# run) and makes exec and library loading much faster.
P9="trans=virtio,version=9p2000.L,msize=262144"
mount -t 9p -o "$P9,ro,cache=loose" host /host || die "cannot mount the host root (9p tag host)"

H=/host
mount -t proc proc $H/proc || die "mount proc"
mount -t sysfs sysfs $H/sys || die "mount sysfs"
mount -t devtmpfs devtmpfs $H/dev || die "mount devtmpfs"
mkdir -p $H/dev/pts $H/dev/shm
mount -t devpts devpts $H/dev/pts
mount -t tmpfs tmpfs $H/dev/shm
# A fresh tmpfs on /run and /tmp gives the job writable scratch space; a
# repository checked out below one of them (CI clones anywhere) must stay
# visible, so it is set aside first and bound back on top.
for d in run tmp; do
	case "$TOP" in
	/$d/*)
		mkdir -p /stash && mount -o bind "$H$TOP" /stash || die "bind $TOP"
		mount -t tmpfs tmpfs "$H/$d" || die "mount /$d"
		mkdir -p "$H$TOP" && mount -o bind /stash "$H$TOP" || die "rebind $TOP"
		umount /stash
		;;
	*)
		mount -t tmpfs tmpfs "$H/$d" || die "mount /$d"
		;;
	esac
done
mount -t bpf bpf $H/sys/fs/bpf || die "mount bpffs"
mount -t securityfs securityfs $H/sys/kernel/security || die "mount securityfs"
mount -t tracefs tracefs $H/sys/kernel/tracing || die "mount tracefs"
mount -t debugfs debugfs $H/sys/kernel/debug || die "mount debugfs"
mount -t cgroup2 cgroup2 $H/sys/fs/cgroup || die "mount cgroup2"

# The results share last, so that a results dir under /tmp or /run is not
# hidden by the tmpfs mounted there (the mkdir then happens in the tmpfs).
# No cache: every write reaches the host at once (run.sh streams the output).
mkdir -p "$H$OUT" 2>/dev/null
mount -t 9p -o "$P9,rw" out "$H$OUT" || die "cannot mount the results share on $OUT"
OUT_MOUNTED=1

[ -f "$H$OUT/vm-guest.conf" ] || die "no $OUT/vm-guest.conf"
VM_KMOD='' VM_KMOD_ARGS='' VM_SUITE=''
# shellcheck disable=SC1090 # written by run.sh
. "$H$OUT/vm-guest.conf"

# The host has no kmod tools; offer busybox's insmod/rmmod/lsmod to the job
# (last in PATH, so they never shadow a host binary).
mkdir -p $H/run/mdevver-vm/bin
cp /bin/busybox $H/run/mdevver-vm/bin/busybox
for a in insmod rmmod lsmod modinfo; do
	ln -s busybox "$H/run/mdevver-vm/bin/$a"
done

if [ -n "$VM_KMOD" ]; then
	# shellcheck disable=SC2086 # VM_KMOD_ARGS is a list of name=value words
	err=$(insmod "$H$VM_KMOD" $VM_KMOD_ARGS 2>&1) ||
		die "insmod $VM_KMOD${VM_KMOD_ARGS:+ $VM_KMOD_ARGS}: ${err:-failed}"
fi

# The taint value before and after the job: run.sh fails the run when a
# flag appeared during it (a WARN sets W, an oops D) that no test was blamed
# for.  Loading the test module taints before this (O, E); that is expected.
cat /proc/sys/kernel/tainted >"$H$OUT/vm-taint-before" 2>/dev/null
msg "running job"
chroot $H /usr/bin/env -i \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/run/mdevver-vm/bin \
	HOME=/root LANG=C.UTF-8 TERM=dumb \
	MDEVVER_VM=1 MDEVVER_VM_SUITE="$VM_SUITE" MDEVVER_VM_OUT="$OUT" \
	/bin/sh "$OUT/vm-job.sh" </dev/null >>"$H$OUT/vm-stdout" 2>>"$H$OUT/vm-stderr"
rc=$?
msg "job exited with status $rc"
dmesg >"$H$OUT/vm-dmesg.log"
cat /proc/sys/kernel/tainted >"$H$OUT/vm-taint-after" 2>/dev/null
echo "$rc" >"$H$OUT/vm-exit-code"
sync
umount "$H$OUT"
halt_vm
