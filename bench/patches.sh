#!/bin/bash
# What kpython's reviewed patches cost the interpreter, measured without
# noise: MicroPython's unix port built twice from the pinned source, once
# pristine and once with kernel_mod/patches/ applied, each running the CPU
# benchmarks of bench/vm/ and bench/patches/ under callgrind. Instruction
# counts do not depend on the load of the machine, so the ratio is exact
# (it does not count cache effects, and the kernel's hooks are empty here:
# the unix port defines none).
#
# usage: bench/patches.sh     prints "<bench> pristine <n> patched <n> ratio <r>"
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/micropython/pin.env"
make -s -C "$top" fetch
command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null

key=$(cat "$top/micropython/pin.env" "$top"/kernel_mod/patches/*.patch | sha256sum | cut -c1-16)
cache=${KPY_CACHE_DIR:-/var/cache/kpython}/bench-patches/$key
flags=(VARIANT=standard FROZEN_MANIFEST= MICROPY_PY_FFI=0 MICROPY_PY_BTREE=0
	MICROPY_PY_SSL=0 MICROPY_PY_SOCKET=0 MICROPY_PY_THREAD=0)

# build NAME [PATCH...]: the unix port from a copy of the pinned tree.
build() {
	local name=$1 dir=$cache/$1
	shift
	[ -x "$dir.bin" ] && return
	rm -rf "$dir"
	mkdir -p "$cache"
	cp -a "$top/micropython/$MP_DIR" "$dir"
	for p in "$@"; do patch -s -p1 -d "$dir" <"$p"; done
	make -s -C "$dir/ports/unix" -j"$(nproc)" "${flags[@]}" >"$dir.log" 2>&1
	cp "$dir/ports/unix/build-standard/micropython" "$dir.bin"
	rm -rf "$dir"
}
build pristine
build patched "$top"/kernel_mod/patches/*.patch

instructions() { # BINARY SCRIPT
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" -X heapsize=2M "$2" 2>&1 |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
for script in "$top"/bench/vm/*.bpy "$top"/bench/patches/*.bpy; do
	a=$(instructions "$cache/pristine.bin" "$script")
	b=$(instructions "$cache/patched.bin" "$script")
	awk -v n="$(basename "$script" .bpy)" -v a="$a" -v b="$b" \
		'BEGIN { printf "%-8s pristine %11d patched %11d ratio %.3f\n", n, a, b, b / a }'
done
