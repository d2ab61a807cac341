#!/bin/sh
# arm64.sh - the arm64 VM tier of `npm test` (issue 9): Debian's arm64
# kernels in qemu-system-aarch64 (software emulation), the module
# cross-built (test/vm/arch.sh, README "arm64").
#
#   1. the whole VM suite (hostile corpus included) on the newest bookworm
#      6.1 arm64 kernel;
#   2. a representative subset on trixie's 6.12 arm64 kernel (module built
#      by trixie's gcc-14-aarch64-linux-gnu in a container): every case but
#      the hostile corpus, plus two of its classes (240: C recursion over
#      nested containers, the stack check with arm64's frames; 254: the
#      time limit inside deep C recursion). The full corpus there would add
#      ~5 min of emulation for no new code path;
#   3. upstream conformance (tests/basics, float, io) on the 6.1 kernel
#      (run second, with the module of part 1).
#
# KPY_ARM64_FULL=1 runs the whole suite and conformance on both kernels.
# Stops at the first part that fails, like the amd64 chain in package.json;
# each part ends with its own "N passed, N failed" line.
set -euf # -f: the case globs below are for run.sh, not for this shell
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export KPY_VM_ARCH=arm64

subset="0* 1* 3* 4* 5* 6* 7* 8* 9* 240-* 254-*"
if [ "${KPY_ARM64_FULL:-}" = 1 ]; then
	subset=
fi

# Conformance right after the suite of the same kernel: the module in the
# tree is still the one built for it (no second build).
KPY_VM_SERIES=6.1 "$here/run.sh"
KPY_VM_SERIES=6.1 "$top/test/conformance/run.sh"
# shellcheck disable=SC2086 # subset is a list of case globs
KPY_VM_SERIES=trixie "$here/run.sh" $subset
if [ "${KPY_ARM64_FULL:-}" = 1 ]; then
	KPY_VM_SERIES=trixie "$top/test/conformance/run.sh"
fi
