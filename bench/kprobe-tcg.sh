#!/bin/bash
# Differential test for the hot-probe oops (316): the kernel's own kprobes,
# through tracefs, with kpython unloaded, armed and disarmed on a function
# the other CPU calls in a loop. If this oopses as 316 did, the fault is the
# kernel's or the emulator's, not kpython's.
#
# usage: bench/kprobe-tcg.sh [N [FUNC [MODE]]]
#   N     arm/disarm cycles in one boot (default 100)
#   FUNC  the probed function (default vfs_read)
#   MODE  kpython: the same cycles through kernel.kprobe() instead (module
#         loaded); tracefs (default)
# Environment: KPY_VM_QEMU_ARGS (e.g. "-accel tcg,thread=single"), KPY_VM_ABI
# and the rest as for test/vm/run.sh. Prints the rig's summary; a dead VM
# (oops=panic) shows as a failed case with the oops in the console log.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-100} func=${2:-vfs_read} mode=${3:-tracefs}
cases=$(mktemp -d)
trap 'rm -rf "$cases"' EXIT
{
	printf '. "$KPY_LIB"\nn=%s func=%s mode=%s\n' "$n" "$func" "$mode"
	cat "$top/bench/kprobe-tcg/cycle.sh"
} >"$cases/10-kprobe-cycle.sh"
echo $((60 + n * 3)) >"$cases/10-kprobe-cycle.timeout"
KPY_VM_CASES=$cases KPY_VM_TIMEOUT=$((300 + n * 3)) exec "$top/test/vm/run.sh"
