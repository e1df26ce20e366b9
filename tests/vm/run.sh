#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tests/vm/run.sh - run one command inside a qemu VM booted with a Debian kernel.
#
# Usage: tests/vm/run.sh [options] -- CMD [ARGS...]
#   --suite S         kernel suite (default: bookworm)
#   --lsm LIST        kernel lsm= list (default: lockdown,capability,landlock,bpf)
#   --timeout SEC     kill the VM after SEC seconds (default: 600)
#   --icount          deterministic guest clock for benchmarks (1 vCPU,
#                     -icount shift=1; guest time then counts instructions)
#   --kmod PATH|none  test module to insmod (default: build tests/kmod for
#                     the suite with build-kmod.sh)
#   --kmod-args ARGS  module parameters, e.g. "devid=0x193b gen=9"
#   --mtty            build the kernel's mtty sample for the suite
#                     (build-mtty.sh) and export MDEVVER_MTTY_KO and
#                     MDEVVER_VM_MODULES to CMD, for tests/vm/load-mtty.sh
#   --out DIR         results dir, writable in the guest at the same path
#                     (default: build/vm/<suite>); must not contain spaces/commas
#   --env NAME=VALUE  extra environment variable for CMD (repeatable)
#   --append ARGS     extra kernel command line arguments
#   --console         also stream the guest console to stderr
#
# Why a VM: the build host can neither load modules nor attach fentry/LSM
# programs, and its /sys is real.  The guest runs the host's own root file
# system (9p, read-only), so CMD is the freshly built tool, unchanged.
#
# CMD runs as root with cwd = this repository, stdin /dev/null, env PATH,
# HOME=/root, LANG=C.UTF-8, MDEVVER_VM=1, MDEVVER_VM_SUITE, MDEVVER_VM_OUT
# (= DIR) plus --env.  Its stdout and stderr go to DIR/vm-stdout and
# DIR/vm-stderr in the guest and are streamed from there to this script's
# stdout and stderr, so kernel console noise never mixes in.  The exit status
# is this script's exit status; 125 means the VM failed before CMD finished
# (setup error, timeout, crash).  DIR also keeps vm-console.log (full serial
# console), vm-dmesg.log, vm-job.sh and vm-guest.conf.
#
# The guest kernel's log is part of the verdict: a WARN, BUG, oops, Call
# Trace, KASAN/UBSAN report or a taint flag that appeared during the job
# fails the run.  Tests run by tests/integration/harness.py are blamed by
# name ("FAIL test: kernel log: WARNING: ..."); whatever no test was blamed
# for is reported here after the job as "FAIL vm-kernel-log: <first splat
# line>" and turns exit status 0 into 1 (tests/integration/kernel_log.py).
set -euo pipefail
# shellcheck source=tests/vm/common.sh
. "$(dirname "$0")/common.sh"

suite=bookworm
lsm=lockdown,capability,landlock,bpf
timeout=600
icount=0
kmod=auto
kmod_args=
mtty=0
out=
envs=()
append=
console=0

usage() { vm_die "usage: $0 [--suite S] [--lsm LIST] [--timeout SEC] [--icount] [--kmod PATH|none] [--kmod-args ARGS] [--mtty] [--out DIR] [--env N=V] [--append ARGS] [--console] -- CMD [ARGS...]"; }
need() { [[ $# -ge 2 ]] || vm_die "option $1 needs a value"; }
while [[ $# -gt 0 ]]; do
	case $1 in
	--suite) need "$@"; suite=$2; shift 2 ;;
	--lsm) need "$@"; lsm=$2; shift 2 ;;
	--timeout) need "$@"; timeout=$2; shift 2 ;;
	--icount) icount=1; shift ;;
	--kmod) need "$@"; kmod=$2; shift 2 ;;
	--kmod-args) need "$@"; kmod_args=$2; shift 2 ;;
	--mtty) mtty=1; shift ;;
	--out) need "$@"; out=$2; shift 2 ;;
	--env) need "$@"; envs+=("$2"); shift 2 ;;
	--append) need "$@"; append=$2; shift 2 ;;
	--console) console=1; shift ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
[[ $# -ge 1 ]] || usage
[[ $timeout =~ ^[0-9]+$ && $timeout -gt 0 ]] || vm_die "--timeout needs a positive number of seconds"
for e in "${envs[@]}"; do
	[[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || vm_die "--env needs NAME=VALUE, got '$e'"
done
command -v qemu-system-x86_64 >/dev/null || vm_die "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"

vm_kernel "$suite"
initrd=$("$VM_SCRIPTS/initramfs.sh" "$suite")
case $kmod in
auto) kmod=$("$VM_SCRIPTS/build-kmod.sh" "$suite") ;;
none) kmod= ;;
*)
	[[ -f $kmod ]] || vm_die "--kmod $kmod: no such file"
	kmod=$(readlink -f "$kmod")
	;;
esac

# mtty is loaded by the job (load-mtty.sh), not by /init: a tracer test may
# want to see the modules arrive, and most jobs need no mtty at all.
mtty_ko=
if ((mtty)); then
	mtty_ko=$("$VM_SCRIPTS/build-mtty.sh" "$suite")
fi

out=$(readlink -m "${out:-$VM_TOP/build/vm/$VM_SUITE}")
# The path goes on the kernel command line and into qemu's -virtfs option.
[[ $out =~ ^/[A-Za-z0-9._/+:@-]*$ ]] || vm_die "--out $out: only letters, digits and ._/+:@- are allowed"
[[ $out != / ]] || vm_die "--out must not be /"
mkdir -p "$out"
rm -f "$out"/vm-{stdout,stderr,exit-code,error,console.log,dmesg.log,qemu.log,job.sh,guest.conf} \
	"$out"/vm-{taint-before,taint-after,kernel-attributed.log}
: >"$out/vm-stdout"
: >"$out/vm-stderr"

{
	echo "VM_SUITE=$(vm_shquote "$VM_SUITE")"
	echo "VM_KMOD=$(vm_shquote "$kmod")"
	echo "VM_KMOD_ARGS=$(vm_shquote "$kmod_args")"
} >"$out/vm-guest.conf"
{
	echo "# generated by tests/vm/run.sh; run by the guest's /init in the chroot"
	echo "cd $(vm_shquote "$VM_TOP") || exit 125"
	if [[ -n $mtty_ko ]]; then
		echo "export MDEVVER_MTTY_KO=$(vm_shquote "$mtty_ko")"
		echo "export MDEVVER_VM_MODULES=$(vm_shquote "$VM_MODULES")"
	fi
	for e in "${envs[@]}"; do
		echo "export ${e%%=*}=$(vm_shquote "${e#*=}")"
	done
	printf 'exec'
	for a in "$@"; do
		printf ' %s' "$(vm_shquote "$a")"
	done
	printf '\n'
} >"$out/vm-job.sh"

if ((icount)); then
	# Instruction-counted clock: reproducible timings; -smp 2 does not boot.
	cpu=(-accel tcg -cpu max -smp 1 -icount shift=1)
else
	# Two vCPUs, each on its own host thread (MTTCG).  On sid (7.x) a BPF
	# trampoline detach once raced MTTCG's cross-vCPU code invalidation: a
	# vCPU still ran the int3 of a finished text poke (an int3 oops in
	# bpf_lsm_file_permission, no test's doing).  There one TCG thread runs
	# both vCPUs in turn: still SMP for the kernel, no stale code.
	# MDEVVER_VM_TCG_THREAD=multi|single overrides.
	tcg_thread=${MDEVVER_VM_TCG_THREAD:-multi}
	[[ -n ${MDEVVER_VM_TCG_THREAD:-} || $VM_SUITE != sid ]] || tcg_thread=single
	# shellcheck disable=SC2054 # qemu's own comma syntax
	cpu=(-accel "tcg,thread=$tcg_thread" -cpu max -smp 2)
fi
cmdline="console=ttyS0 quiet panic=-1 lsm=$lsm mdevver.out=$out mdevver.top=$VM_TOP${append:+ $append}"

boot_once() {
	# KVM guests do not work on these hosts, so TCG.  -nodefaults: no NIC, VGA,
	# floppy or CD to probe; the console goes to a file, not to our stdout.
	timeout --kill-after=5 "$timeout" qemu-system-x86_64 \
		-nodefaults -no-user-config -display none -no-reboot \
		"${cpu[@]}" -m 2048 \
		-kernel "$VM_VMLINUZ" -initrd "$initrd" -append "$cmdline" \
		-serial "file:$out/vm-console.log" \
		-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$out,mount_tag=out,security_model=none" \
		</dev/null >"$out/vm-qemu.log" 2>&1 &
	qemu=$!

	# Stream CMD's output while it runs (the results share is uncached in the
	# guest, so each write lands in the file at once).
	tails=()
	tail -n +1 -s 0.2 -f --pid=$qemu "$out/vm-stdout" &
	tails+=($!)
	tail -n +1 -s 0.2 -f --pid=$qemu "$out/vm-stderr" >&2 &
	tails+=($!)
	if ((console)); then
		: >>"$out/vm-console.log"
		tail -n +1 -s 0.2 -f --pid=$qemu "$out/vm-console.log" >&2 &
		tails+=($!)
	fi
	trap 'kill $qemu "${tails[@]}" 2>/dev/null || true' INT TERM

	qrc=0
	wait $qemu || qrc=$?
	wait "${tails[@]}" || true
}

# Multi-threaded TCG occasionally crashes a guest kernel while it patches its
# own text during boot (seen once on 7.2: an int3 oops in sched_clock_cpu,
# before /init ran).  That is the emulator, not the job: boot once more, and
# say so.  A crash after the job started is reported, never retried.
for attempt in 1 2; do
	boot_once
	if [[ -s $out/vm-exit-code || -s $out/vm-error ]] || ((qrc == 124 || qrc == 137)) ||
		grep -q 'vm-guest: running job' "$out/vm-console.log" 2>/dev/null ||
		[[ -s $out/vm-stdout || -s $out/vm-stderr ]] || ((attempt == 2)); then
		break
	fi
	cp "$out/vm-console.log" "$out/vm-console.boot-crash.log"
	vm_log "the guest kernel crashed while booting, before the job started (TCG); booting again (console: $out/vm-console.boot-crash.log)"
	rm -f "$out"/vm-{console.log,qemu.log,dmesg.log}
done

# kernel_check LOG: the splats and taint change no test was blamed for
kernel_check() {
	python3 "$VM_TOP/tests/integration/kernel_log.py" check "$1" "$out/vm-kernel-attributed.log" \
		"$(cat "$out/vm-taint-before" 2>/dev/null)" "$(cat "$out/vm-taint-after" 2>/dev/null)"
}

if [[ -s $out/vm-exit-code ]]; then
	rc=$(<"$out/vm-exit-code")
	[[ $rc =~ ^[0-9]+$ ]] || vm_die "bad exit code '$rc' in $out/vm-exit-code"
	if ! kernel_check "$out/vm-dmesg.log" && ((rc == 0)); then
		rc=1
	fi
	exit "$rc"
fi
# No exit code: whatever the console caught (a panic's oops) is named too.
[[ ! -s $out/vm-console.log ]] || kernel_check "$out/vm-console.log" || true
if [[ -s $out/vm-error ]]; then
	vm_log "guest setup failed: $(<"$out/vm-error"); console log: $out/vm-console.log"
	exit 125
fi
if ((qrc == 124 || qrc == 137)); then
	vm_log "timeout after ${timeout}s"
elif [[ -s $out/vm-qemu.log ]]; then
	tail -n 5 "$out/vm-qemu.log" | sed 's/^/vm: qemu: /' >&2
fi
tail -n 20 "$out/vm-console.log" 2>/dev/null | tr -d '\r' | sed 's/^/vm: console: /' >&2 || true
vm_log "guest did not report an exit code (timeout or crash); console log: $out/vm-console.log"
exit 125
