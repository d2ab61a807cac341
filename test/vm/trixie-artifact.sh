#!/bin/sh
# A Debian trixie kernel, built by release through the service (its headers
# need gcc-14: the trixie builder image), boots in qemu with its own Debian
# kernel image and runs Python. The release is the one trixie's
# linux-image-amd64 points at; packages come through tools/apt-suite.sh.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
cache=$top/.cache/vm/trixie
mkdir -p "$cache"

meta=$(mktemp -d)
trap 'rm -rf "$meta"' EXIT
tools/apt-suite.sh trixie "$meta" download linux-image-amd64
release=$(dpkg-deb -f "$meta"/linux-image-amd64_*.deb Depends |
	tr ',|' '\n\n' | sed -n 's/^ *linux-image-\([0-9][^ ]*-amd64\)\( .*\)\{0,1\}$/\1/p' |
	sed 's/-unsigned$//' | head -n 1)
[ -n "$release" ] || { echo "FAIL trixie: no release in linux-image-amd64"; echo "0 passed, 1 failed"; exit 1; }
vmlinuz=$cache/vmlinuz-$release
if [ ! -s "$vmlinuz" ]; then
	tools/apt-suite.sh trixie "$meta" download "linux-image-$release-unsigned"
	dpkg-deb --fsys-tarfile "$meta"/linux-image-"$release"-unsigned_*.deb |
		tar -xO "./boot/vmlinuz-$release" >"$vmlinuz.part"
	mv "$vmlinuz.part" "$vmlinuz"
fi
echo "trixie kernel $release: $vmlinuz" >&2

sh scripts/quickstart.sh "$release"
KPY_VM_ABI=$release KPY_VM_VMLINUZ=$vmlinuz KPY_VM_MODULE=out/$release/kpython.ko \
	exec test/vm/run.sh 010-print 023-bigint 031-traceback 040-recursion-caught \
	060-sleep 070-timeout 083-client 095-repeat-1000
