#!/bin/bash
# module.sh KDIR BUILD-LOG: print the path of the kpython.ko a VM rig loads:
# KPY_VM_MODULE if set (prebuilt, e.g. the service's signed artifact), else
# the tree's own, built now with `make KDIR=KDIR` (output to BUILD-LOG; its
# tail goes to stderr when the build fails, and the exit status is 1).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=$1 build_log=$2
log() { printf 'module.sh: %s\n' "$*" >&2; }

if [ -n "${KPY_VM_MODULE:-}" ]; then
	log "using prebuilt module $KPY_VM_MODULE"
	echo "$KPY_VM_MODULE"
	exit 0
fi
log "building: make -C $top KDIR=$kdir (log: $build_log)"
t0=$EPOCHREALTIME
# KPY_VM_BUILD_IMAGE: build in a container of that image instead (a cross
# compiler this host's release lacks: test/vm/cross-image.sh), without
# network, with the tree and the headers' root at their own paths;
# ARCH and CROSS_COMPILE are passed on; parallel (gcc-14 under nice took
# ~390 s serially on a loaded 2-core host).
# After the build, in the same environment (the compiler the objects were
# made with): the interpreter's objects read no kernel header beyond the
# forced ones (kernel_mod/check-freestanding.sh).
check=$top/kernel_mod/check-freestanding.sh
build() {
	if [ -z "${KPY_VM_BUILD_IMAGE:-}" ]; then
		make -C "$top" KDIR="$kdir" && "$check" "$kdir" "$top/kernel_mod" && return
		return 1
	fi
	log "in a container of $KPY_VM_BUILD_IMAGE"
	kroot=${kdir%/usr/src/*}
	docker run --rm --network none --label org.kpython.app=kpython-test \
		-v "$top:$top" -v "$kroot:$kroot:ro" -e ARCH -e CROSS_COMPILE \
		"$KPY_VM_BUILD_IMAGE" sh -c 'nice -n 10 make -j"$(nproc)" -C "$1" KDIR="$2" && "$3" "$2" "$1/kernel_mod"' \
		sh "$top" "$kdir" "$check"
}
if ! build >"$build_log" 2>&1; then
	tail -n 30 "$build_log" | sed 's/^/    /' >&2
	exit 1
fi
log "built in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
echo "$top/kernel_mod/kpython.ko"
