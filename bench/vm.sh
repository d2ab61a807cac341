#!/bin/bash
# VM numbers for kpython.ko, measured in one qemu run of test/vm's rig:
#   boot-to-first-result, print(1) executions per second (exec file and
#   client), CPU-bound scripts in kpython versus MicroPython's unix port built
#   from the same pinned source (static, run in the same VM), and the stack
#   numbers the module records.
# usage: bench/vm.sh   (KPY_VM_ARCH=arm64: Debian's arm64 kernel, the unix
# port cross-built for aarch64 with the same cross gcc as the module)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
arch=${KPY_VM_ARCH:-amd64}
cache=$top/.cache/bench
[ "$arch" = amd64 ] || cache=$top/.cache/bench-$arch
unix_bin=$cache/micropython-unix
unix_cross=()
if [ "$arch" = arm64 ]; then
	# The cross gcc is versioned only (gcc-12-aarch64-linux-gnu); static
	# linking needs libc6-dev-arm64-cross.
	"$top/test/vm/ensure-host.sh" aarch64-linux-gnu-gcc-12:gcc-12-aarch64-linux-gnu
	[ -e /usr/aarch64-linux-gnu/lib/libc.a ] ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q libc6-dev-arm64-cross >&2
	unix_cross=(CROSS_COMPILE=aarch64-linux-gnu- CC=aarch64-linux-gnu-gcc-12)
fi

make -s -C "$top" fetch
if [ ! -x "$unix_bin" ]; then
	# Build in a copy: the pinned tree stays pristine.
	. "$top/micropython/pin.env"
	rm -rf "$cache/mp"
	mkdir -p "$cache"
	cp -a "$top/micropython/$MP_DIR" "$cache/mp"
	make -s -C "$cache/mp/ports/unix" -j"$(nproc)" VARIANT=standard "${unix_cross[@]}" \
		FROZEN_MANIFEST= MICROPY_PY_FFI=0 MICROPY_PY_BTREE=0 \
		MICROPY_PY_SSL=0 MICROPY_PY_SOCKET=0 MICROPY_PY_THREAD=0 \
		LDFLAGS_EXTRA=-static >/dev/null
	cp "$cache/mp/ports/unix/build-standard/micropython" "$unix_bin"
fi

cases=$(mktemp -d)
trap 'rm -rf "$cases"' EXIT
cp "$top"/bench/vm/*.sh "$top"/bench/vm/*.bpy "$cases/"
cp "$unix_bin" "$cases/micropython-unix"
echo 600 >"$cases/10-bench.timeout"

# run_vm LABEL [KERNEL-ARGS]: one boot of the rig with the bench case.
run_vm() {
	local out load0
	echo "== $1"
	# TCG timings move with the host's load: say what it was.
	load0=$(cut -d' ' -f1 /proc/loadavg)
	out=$(KPY_VM_CASES=$cases KPY_VM_MODULE_ARGS="timeout_ms=0" \
		KPY_VM_APPEND="${2:-}" KPY_VM_QEMU_ARGS=${KPY_BENCH_QEMU_ARGS-} \
		KPY_VM_OUT=$cache/run "$top/test/vm/run.sh" 2>/dev/null) || {
		echo "$out" >&2
		exit 1
	}
	echo "$out" | grep -- '--- timings' | sed 's/^--- //'
	echo "host load average (1 min): $load0 at boot, $(cut -d' ' -f1 /proc/loadavg) after"
	# What the arm64 kernel found of pointer authentication on this CPU.
	if [ "$arch" = arm64 ]; then
		grep -q 'CPU features: detected: Address authentication' "$cache/run/console.log" &&
			echo "kernel: pointer authentication in use" ||
			echo "kernel: no pointer authentication on this CPU"
	fi
	grep -o 'BENCH .*' "$cache/run/console.log" | sed 's/^BENCH //' | awk '
		$1 == "cpu" {
			for (i = 3; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
			printf "cpu %-7s kpython %5d ms  unix port %5d ms  kpython speed = %.2fx of unix (median of %d interleaved rounds, range %s)\n",
				$2, f["kpython_ms"], f["unix_ms"], f["ratio"], f["rounds"], f["ratio_range"]
			next
		}
		{ print }'
}

# The kernel chooses its Spectre v2 mitigation from the CPU. On qemu's
# default model (qemu64) it compiles every indirect branch of kernel code,
# the interpreter's opcode dispatch included, into a retpoline, which the
# unix port in user space never pays. CPUs with enhanced IBRS (Intel) or
# automatic IBRS (AMD) let the kernel patch the retpolines back into plain
# indirect jumps and calls, but qemu's TCG presents neither to a guest
# kernel (target/i386/cpu.c adds ARCH_CAPABILITIES and AUTO_IBRS to its
# CPUID bits only in user-mode emulation), and this host has no KVM. So the
# second boot is a stand-in: spectre_v2=off, with which the kernel patches
# the same plain indirect jumps and calls into the same code, as on such a
# CPU; every other mitigation stays as the CPU model asks.
# arm64 kernels use no retpolines (their Spectre v2 mitigation works at
# exception entry and context switch). They are built with
# -mbranch-protection=pac-ret+leaf: every function, the module's included,
# signs its return address (PACIASP) and authenticates it (AUTIASP), which
# user space built without branch protection (the unix port) never does.
# On silicon that is a few cycles; TCG emulates each as a helper call, even
# with pauth-impdef=on (test/vm/arch.sh), so under qemu it costs kpython
# about 40% of its time on these scripts. The second boot is a CPU without
# pointer authentication (pauth=off; Armv8.0-8.2 cores such as Cortex-A72
# or Neoverse N1): the same kernel and module, whose PAC instructions sit in
# the hint space and execute as NOPs there; the kernel says "CPU features:
# detected: Address authentication" only on the first. Not a stand-in for
# the first: on that CPU the mitigation does not exist.
if [ "$arch" = arm64 ]; then
	run_vm "CPU model: qemu -cpu max,pauth-impdef=on (arm64: pointer authentication emulated; the kernel's mitigations as it chooses)"
	KPY_BENCH_QEMU_ARGS="${KPY_BENCH_QEMU_ARGS-} -cpu max,pauth=off" \
		run_vm "CPU without pointer authentication: qemu -cpu max,pauth=off (same kernel and module; PACIASP/AUTIASP execute as NOPs)"
	exit 0
fi
run_vm "CPU model: qemu default (qemu64), kernel mitigations as it chooses (retpolines)"
run_vm "eIBRS stand-in: qemu64 with spectre_v2=off (indirect branches patched plain, as with eIBRS)" "spectre_v2=off"
