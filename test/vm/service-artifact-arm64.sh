#!/bin/sh
# service-artifact.sh for arm64 (issue 9 item 5): build kpython.ko for the
# newest bookworm 6.1.0-N-arm64 kernel through the service by release name
# alone (scripts/quickstart.sh: the resolver finds the arm64 headers, the
# worker builds in the bookworm-arm64-gcc12 image with the kernels' exact
# gcc-12 under qemu-user), then boot that signed artifact in the arm64 rig
# (qemu-system-aarch64, test/vm/arch.sh) and run Python in it.
# KPY_VM_SERIES=trixie: trixie's arm64 kernel instead (trixie-arm64-gcc14,
# the cross gcc-14: seconds instead of minutes).
set -eu
series=${KPY_VM_SERIES:-6.1}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

release=$(KPY_VM_SERIES=$series test/vm/fetch-kernel-arm64.sh | sed -n 's/^abi=//p')
[ -n "$release" ] || { echo "FAIL service-artifact-arm64: no arm64 kernel"; echo "0 passed, 1 failed"; exit 1; }
t0=$(date +%s)
sh scripts/quickstart.sh "$release"
echo "service-artifact-arm64: $release built and verified through the service in $(( $(date +%s) - t0 )) s" >&2
module=out/$release/kpython.ko
tail -c 28 "$module" | grep -q '~Module signature appended~' || {
	echo "FAIL service-artifact-arm64: $module carries no module signature"
	echo "0 passed, 1 failed"
	exit 1
}
KPY_VM_ARCH=arm64 KPY_VM_SERIES=$series KPY_VM_ABI=$release KPY_VM_MODULE=$module exec test/vm/run.sh \
	010-print 023-bigint 031-traceback 070-timeout 083-client 090-concurrent
