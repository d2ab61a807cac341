#!/bin/bash
# debug-kernel.sh - the VM suite and upstream conformance under a debug
# kernel: Debian's 6.1 source built with KASAN, KFENCE, UBSAN, lockdep,
# DEBUG_ATOMIC_SLEEP and kmemleak (debug-kernel/build.sh, cached per input
# hash; about 25 min on 2 busy cores the first time, seconds after).
#
# usage: test/vm/debug-kernel.sh [CASE-PATTERN...]   (patterns: test/vm/run.sh)
#
# Builds kpython.ko against the debug kernel's tree in a copy of the module
# sources (.cache/debug-kernel/module-src), so the stock-kernel module that
# the other tiers build in kernel_mod/ is left alone. Boots with kmemleak=on;
# after rmmod the guest scans, and a leak through kpython fails (report.awk),
# as does any checker's report in the kernel log. Ends with the tier's total
# "N passed, N failed". Exit status: 0 all passed, 1 a failure, 2 the rig
# could not run.
#
# Environment:
#   KPY_DBGK_OUT          work directory (default .cache/debug-kernel)
#   KPY_DBGK_MEM          guest MiB (default 2048: KASAN's shadow, kmemleak)
#   KPY_DBGK_CONFORMANCE=0  skip the conformance run
#   KPY_DBGK_CONF_DIRS      upstream test directories it runs (default basics)
#   KPY_DBGK_SECURE_BOOT=0|only  skip the Secure Boot boot, or run only it
#   KPY_DBGK_VM_TIMEOUT   VM wall-clock limit, s (default 1800 each)
#   KPY_DBGK_TIME_SCALE   multiplier of the cases' time budgets (default 5)
#   KPY_VM_MODULE_ARGS, KPY_VM_QEMU_ARGS, KPY_CONF_*  passed on
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${KPY_DBGK_OUT:-$top/.cache/debug-kernel}
t_start=$EPOCHREALTIME

log() { printf 'debug-kernel.sh: %s\n' "$*" >&2; }
elapsed() { awk -v a="$1" -v b="${2:-$EPOCHREALTIME}" 'BEGIN { printf "%.0f", b - a }'; }
rig_error() {
	log "error: $*"
	echo "FAIL debug-kernel rig: $*"
	echo "0 passed, 1 failed"
	exit 2
}

# --- host prerequisites ----------------------------------------------------------
need=
for pkg in gcc-12 make flex bison bc libelf-dev libssl-dev dpkg-dev; do
	[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ] ||
		need="$need $pkg"
done
if [ -n "$need" ]; then
	log "installing$need"
	# shellcheck disable=SC2086 # a list of packages
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need >&2 ||
		rig_error "cannot install$need"
fi
mkdir -p "$out" || rig_error "cannot create $out"

# --- kernel ------------------------------------------------------------------------
t0=$EPOCHREALTIME
kinfo=$("$here/debug-kernel/build.sh") || rig_error "debug-kernel/build.sh failed"
abi=$(sed -n 's/^abi=//p' <<<"$kinfo")
kdir=$(sed -n 's/^kdir=//p' <<<"$kinfo")
vmlinuz=$(sed -n 's/^vmlinuz=//p' <<<"$kinfo")
[ -n "$abi" ] && [ -f "$kdir/Module.symvers" ] && [ -f "$vmlinuz" ] ||
	rig_error "build.sh gave no usable kernel: $kinfo"
log "kernel $abi ready in $(elapsed "$t0") s: $vmlinuz"

# --- module, built in a copy of its sources ------------------------------------------
src=$out/module-src
t0=$EPOCHREALTIME
# A fresh copy each run: tar keeps the sources' times, so objects left by an
# earlier run would look newer than a source changed since and not rebuild.
rm -rf "$src" && mkdir -p "$src" || rig_error "cannot create $src"
# The sources the Makefile reads; never the build products of the other tiers.
(cd "$top" && tar -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.a' \
	--exclude=modules.order --exclude=Module.symvers \
	Makefile micropython embed_cfg kernel_mod tools) |
	tar -xf - -C "$src" || rig_error "cannot copy the module sources"
if ! make -C "$src" KDIR="$kdir" >"$out/module-build.log" 2>&1; then
	tail -n 30 "$out/module-build.log" | sed 's/^/    /' >&2
	rig_error "module build against $kdir failed (log: $out/module-build.log)"
fi
module=$src/kernel_mod/kpython.ko
log "module built in $(elapsed "$t0") s: $module"
# Signed with the test key the kernel trusts (build.sh: kpy-test-key/), as
# the service signs with the key enrolled as a MOK: the Secure Boot check
# below loads it under module.sig_enforce=1.
testkeys=$kdir/kpy-test-key
[ -f "$testkeys/trusted-key.pem" ] && [ -x "$kdir/scripts/sign-file" ] ||
	rig_error "no test key or sign-file in $kdir (debug kernel built without them?)"
# (make keeps an up-to-date module as it is: sign it once only.)
if [ "$(tail -c 28 "$module")" != "~Module signature appended~" ]; then
	"$kdir/scripts/sign-file" sha256 "$testkeys/trusted-key.pem" \
		"$testkeys/trusted-cert.pem" "$module" || rig_error "cannot sign $module"
fi

# --- suites ------------------------------------------------------------------------
export KPY_VM_ABI=$abi KPY_VM_VMLINUZ=$vmlinuz KPY_VM_MODULE=$module
export KPY_VM_MEM=${KPY_DBGK_MEM:-2048}
# kasan_multi_shot: KASAN reports every bug, not only the first one. The
# checkers make the guest 3-5 times slower (more on a busy host): case time
# budgets scale.
export KPY_VM_APPEND="kmemleak=on kasan_multi_shot CASE_TIMEOUT_SCALE=${KPY_DBGK_TIME_SCALE:-5} ${KPY_VM_APPEND:-}"
vm_timeout=${KPY_DBGK_VM_TIMEOUT:-1800}
passed=0 failed=0 st=0

# tally LOG STATUS: add the summary line of a suite's log to the totals. A
# suite that succeeded with failures (conformance: exactly its known ones)
# adds them as known, not failed; one that failed adds at least 1.
known=0
tally() {
	local line p f
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	p=$(sed -n 's/^\([0-9]*\) passed.*/\1/p' <<<"$line")
	f=$(sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p' <<<"$line")
	[ -n "$line" ] || p=0 f=0
	if [ "$2" = 0 ]; then
		known=$((known + f))
		f=0
	elif [ "$f" = 0 ]; then
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f))
}

secure_boot=${KPY_DBGK_SECURE_BOOT:-1}
if [ "$secure_boot" != only ]; then
t0=$EPOCHREALTIME
KPY_VM_OUT=$out/vm KPY_VM_TIMEOUT=$vm_timeout "$here/run.sh" "$@" | tee "$out/vm.log"
vm_st=${PIPESTATUS[0]}
[ "$vm_st" = 0 ] || st=1
tally "$out/vm.log" "$vm_st"
log "VM suite: $(elapsed "$t0") s"
fi

# --- Secure Boot check (issue 15): one more boot of the same kernel, locked
# down, enforcing module signatures, with the 61N cases of
# secure-boot-cases/ and fixtures signed with the test keys by sign-file and
# by `kpython sign-script` (dist/ from npm run build). No kmemleak=on: its
# scan after rmmod writes to debugfs, which lockdown refuses.
if [ "$secure_boot" != 0 ] && { [ $# = 0 ] || [ "$secure_boot" = only ]; }; then
	t0=$EPOCHREALTIME
	[ -f "$top/dist/cli/main.js" ] || rig_error "no dist/cli/main.js (npm run build)"
	KPY_VM_OUT=$out/secure-boot KPY_VM_TIMEOUT=$vm_timeout \
		KPY_VM_CASES=$here/secure-boot-cases \
		KPY_VM_APPEND="kasan_multi_shot CASE_TIMEOUT_SCALE=${KPY_DBGK_TIME_SCALE:-5} lockdown=integrity module.sig_enforce=1" \
		KPY_SIG_FILE=$kdir/scripts/sign-file KPY_SIG_KEYS=$testkeys \
		KPY_SIG_CLI="node $top/dist/cli/main.js" \
		"$here/run.sh" | tee "$out/secure-boot.log"
	sb_st=${PIPESTATUS[0]}
	[ "$sb_st" = 0 ] || st=1
	tally "$out/secure-boot.log" "$sb_st"
	log "Secure Boot check: $(elapsed "$t0") s"
fi

if [ "${KPY_DBGK_CONFORMANCE:-1}" != 0 ] && [ $# = 0 ] && [ "$secure_boot" != only ]; then
	t0=$EPOCHREALTIME
	# Upstream's language tests; the float and file VM cases (4NN, 5NN) ran
	# in the suite above, tests/float and tests/io run in the stock tier.
	KPY_CONF_OUT=$out/conformance KPY_CONF_VM_TIMEOUT=$vm_timeout \
		KPY_CONF_DIRS=${KPY_DBGK_CONF_DIRS:-basics} \
		KPY_CONF_TEST_TIMEOUT=${KPY_CONF_TEST_TIMEOUT:-90} \
		"$top/test/conformance/run.sh" | tee "$out/conformance.log"
	conf_st=${PIPESTATUS[0]}
	[ "$conf_st" = 0 ] || st=1
	tally "$out/conformance.log" "$conf_st"
	log "conformance: $(elapsed "$t0") s"
fi

echo "=== debug-kernel tier: kernel $abi (KASAN, KFENCE, UBSAN, lockdep, atomic-sleep, kmemleak), $(elapsed "$t_start") s"
[ "$known" = 0 ] || echo "--- $known known conformance failure(s) (test/conformance/known-failures.txt), not counted"
echo "$passed passed, $failed failed"
[ "$st" = 0 ] && [ "$failed" = 0 ]
