#!/bin/sh
# ensure-host.sh [COMMAND:PACKAGE]... - install what the VM rigs need on the
# host if it is missing: qemu, cpio, Debian's static busybox, plus the given
# commands. Exits non-zero when an install fails.
set -u
need=
command -v qemu-system-x86_64 >/dev/null || need="$need qemu-system-x86"
command -v cpio >/dev/null || need="$need cpio"
command -v file >/dev/null || need="$need file"
[ -x /bin/busybox ] && file -L /bin/busybox | grep -q 'statically linked' ||
	need="$need busybox-static"
for pair in "$@"; do
	command -v "${pair%%:*}" >/dev/null || need="$need ${pair#*:}"
done
[ -n "$need" ] || exit 0
printf 'ensure-host: installing%s\n' "$need" >&2
# shellcheck disable=SC2086 # a list of packages
DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need >&2
