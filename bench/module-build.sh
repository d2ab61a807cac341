#!/bin/bash
# Build-time and size numbers for kpython.ko, from a clean generated tree:
#   generate  - MicroPython's ports/embed bundle with our config + patches
#   compile   - Kbuild of the bundle and our glue
#   size      - the .ko as built, without debug info, and its sections
# usage: bench/module-build.sh [KDIR]   (default: the VM rig's headers)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${1:-}
if [ -z "$kdir" ]; then
	eval "$("$top/test/vm/fetch-kernel.sh")"
	kdir=/usr/src/linux-headers-$abi
fi
jobs=$(nproc)

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

make -s -C "$top" fetch >/dev/null
make -s -C "$top" KDIR="$kdir" clean >/dev/null 2>&1 || true

t0=$(now)
make -s -C "$top" bundle >/dev/null 2>&1
t1=$(now)
make -s -C "$top" KDIR="$kdir" -j"$jobs" modules >/dev/null 2>&1
t2=$(now)

ko=$top/kernel_mod/kpython.ko
stripped=$(mktemp)
trap 'rm -f "$stripped"' EXIT
strip --strip-debug -o "$stripped" "$ko"
read -r text data bss _ < <(size "$ko" | awk 'NR == 2')

echo "kernel headers:        $kdir"
echo "generate (embed):      $(secs "$t0" "$t1") s"
echo "compile (Kbuild, -j$jobs): $(secs "$t1" "$t2") s"
echo "kpython.ko:            $(stat -c %s "$ko") bytes (with debug info)"
echo "kpython.ko stripped:   $(stat -c %s "$stripped") bytes"
echo "text/data/bss:         $text / $data / $bss bytes"
echo "sha256 (unsigned):     $(sha256sum "$ko" | cut -d' ' -f1)"
