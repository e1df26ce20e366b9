#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tests/vm/mtty-hooks.sh - in the VM guest, after tests/vm/load-mtty.sh:
# which functions on the mdev/VFIO migration path this kernel lets a tracer
# hook.  One line per candidate:
#   NAME kallsyms=<module|vmlinux,...|-> btf=<object,...|->
# kallsyms: the symbol exists (kprobe-able, unless inlined elsewhere too);
# btf: a BTF FUNC of that name in vmlinux or the module's BTF (fentry/fexit
# need it).  Not a test; a survey for choosing hooks per kernel.
#   tests/vm/run.sh --suite trixie --mtty -- tests/vm/mtty-hooks.sh
set -u

candidates="vfio_mig_get_next_state vfio_device_fops_unl_ioctl
vfio_ioctl_device_feature vfio_ioctl_device_feature_mig_device_state
vfio_ioctl_device_feature_migration vfio_ioctl_device_feature_migration_data_size
vfio_ioct_mig_return_fd vfio_device_fops_release vfio_df_open vfio_df_close
vfio_df_group_open vfio_df_group_close vfio_device_group_open vfio_device_open
vfio_device_open_file vfio_group_fops_unl_ioctl vfio_group_ioctl_get_device_fd
vfio_device_set_open_count vfio_device_fops_cdev_open vfio_check_precopy_ioctl
mdev_device_create mdev_device_remove create_store remove_store mdev_probe mdev_remove"
tmp=$(mktemp -d)
# /proc/kallsyms is read once (it is large, and slow to read under TCG): the
# lines of the modules and the few built-in candidates only.
awk '$4 ~ /^\[(vfio|mdev|mtty)\]$/ || $3 == "create_store" || $3 == "remove_store" {
	m = ($4 == "" ? "vmlinux" : $4); gsub(/[][]/, "", m); print $3, m, $2 }' /proc/kallsyms >"$tmp/syms"
# every mtty_* text symbol of the module (not the __pfx_ padding symbols)
mtty_funcs=$(awk '$2 == "mtty" && ($3 == "t" || $3 == "T") && $1 ~ /^mtty_/ { print $1 }' "$tmp/syms" | sort -u)

btf_funcs() {
	bpftool btf dump file "/sys/kernel/btf/$1" 2>/dev/null | sed -n "s/.* FUNC '\([^']*\)' .*/\1/p"
}
for o in vmlinux vfio mdev mtty; do
	btf_funcs "$o" | sort -u >"$tmp/$o"
done

echo "# kernel $(uname -r)"
# One awk for the whole table: processes are expensive in a loaded TCG guest.
# a name can exist more than once (create_store: vmlinux and mdev)
for f in $candidates $mtty_funcs; do echo "$f"; done >"$tmp/names"
awk 'function add(a, k, v) { if (index("," a[k] ",", "," v ",") == 0) a[k] = (a[k] == "" ? v : a[k] "," v) }
	FILENAME == syms { add(ks, $1, $2); next }
	FILENAME == names { printf "%s kallsyms=%s btf=%s\n", $1, ($1 in ks ? ks[$1] : "-"), ($1 in bs ? bs[$1] : "-"); next }
	{ o = FILENAME; sub(/.*\//, "", o); add(bs, $1, o) }' \
	syms="$tmp/syms" names="$tmp/names" \
	"$tmp/syms" "$tmp/vmlinux" "$tmp/vfio" "$tmp/mdev" "$tmp/mtty" "$tmp/names"
# and every other text symbol of vfio/mdev on the open/close/ioctl/migration
# paths, for kernels where the candidates above are inlined
echo "# other vfio/mdev text symbols (open|close|release|ioctl|feature|mig|create|remove)"
awk 'FILENAME == names { seen[$1] = 1; next }
	($2 == "vfio" || $2 == "mdev") && ($3 == "t" || $3 == "T") && $1 !~ /^__pfx_/ && !($1 in seen) &&
	$1 ~ /open|close|release|ioctl|feature|mig|create|remove/ { print $1 "(" $2 ")" }' \
	names="$tmp/names" "$tmp/names" "$tmp/syms" | sort -u | paste -sd' ' -
rm -rf "$tmp"
