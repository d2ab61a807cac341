#!/bin/bash
# run.sh - MicroPython's own tests/basics and tests/float, run inside
# kpython.ko in one VM.
#
# usage: test/conformance/run.sh [REGEX...]
#
# Builds the module (make at the repo top), packs the pinned source's
# tests/basics, tests/float and tests/feature_check into an initramfs with
# the VM rig's tools (test/vm/fetch-kernel.sh, mkinitramfs.sh and its guest
# driver, which loads and unloads the module around guest/conformance.sh),
# boots one qemu VM that runs every test through the exec file, one fresh
# interpreter each, and brings the outputs back over a second serial port
# (base64, md5).
# While the VM runs, upstream's own tests/run-tests.py judges each result as
# it arrives, exactly as for the unix port (expected output from the .exp
# file or from CPython, feature checks, skips, output normalization), with
# replay.sh as its `micropython`. report.py applies skip.txt (tests that
# need a feature this configuration leaves out) and known-failures.txt,
# checks the kernel log, and ends with "N passed, N failed, N skipped".
#
# REGEXes (Python, searched in "basics/NAME.py") select tests, as
# run-tests.py -i does; list entries for tests not selected are not checked.
#
# Exit status: 0 the failures are exactly the known ones (and the kernel
# log is clean), 1 otherwise, 2 the rig itself could not run.
#
# Environment:
#   KPY_CONF_DIRS         directories of upstream's tests/ to run (default
#                         "basics float io": the language, floats and the
#                         file tests; "extmod micropython misc stress
#                         unicode" also have reviewed list entries)
#   KPY_CONF_OUT          work directory (default .cache/conformance)
#   KPY_CONF_TIMEOUT_MS   the module's time limit, insmod timeout_ms (default
#                         60000: a backstop, software emulation is slow)
#   KPY_CONF_TEST_TIMEOUT per-test wall-clock limit in the guest, seconds
#                         (default 30; the client is killed after it)
#   KPY_CONF_VM_TIMEOUT   wall-clock limit of the whole VM, seconds (default 900)
#   KPY_CONF_MODULE_ARGS  more insmod parameters (default log_output=0: the
#                         outputs would flood the kernel log)
#   KPY_CONF_TESTS        another tests/ tree (to test this rig)
#   KPY_VM_ABI, KPY_VM_MODULE, KPY_VM_VMLINUZ, KPY_VM_APPEND, KPY_VM_MEM,
#   KPY_VM_QEMU_ARGS, KPY_VM_ARCH, KPY_VM_SERIES, KPY_VM_TIME_SCALE
#                         as for test/vm/run.sh (e.g. the debug kernel:
#                         test/vm/debug-kernel.sh)
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
vm=$top/test/vm
# shellcheck source=test/vm/arch.sh
. "$vm/arch.sh" || exit 2
out=${KPY_CONF_OUT:-$top/.cache/conformance}
[ "$vm_arch" = amd64 ] || out=${KPY_CONF_OUT:-$top/.cache/conformance-$vm_arch}
timeout_ms=${KPY_CONF_TIMEOUT_MS:-60000}
test_timeout=${KPY_CONF_TEST_TIMEOUT:-30}
vm_timeout=${KPY_CONF_VM_TIMEOUT:-$((900 * vm_time_scale))}
dirs=${KPY_CONF_DIRS:-basics float io}
module_args="timeout_ms=$timeout_ms ${KPY_CONF_MODULE_ARGS-log_output=0}"

t_start=$EPOCHREALTIME
decoder=''
judge=''

log() { printf 'conformance: %s\n' "$*" >&2; }
rig_error() {
	log "error: $*"
	echo "0 passed, 1 failed, 0 skipped"
	exit 2
}
elapsed() { awk -v a="$1" -v b="${2:-$EPOCHREALTIME}" 'BEGIN { printf "%.1f", b - a }'; }
# On any exit, stop the background jobs this script started.
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	for pid in $decoder $judge; do
		kill "$pid" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- host prerequisites ------------------------------------------------------
# shellcheck disable=SC2046 # a list of COMMAND:PACKAGE words
"$vm/ensure-host.sh" python3:python3 $(vm_arch_host_needs) ||
	rig_error "cannot install the host prerequisites"
mkdir -p "$out" || rig_error "cannot create $out"

# --- kernel and module -------------------------------------------------------
# As in test/vm/run.sh: a kernel image of the caller's is booted as is.
if [ -n "${KPY_VM_VMLINUZ:-}" ]; then
	[ -n "${KPY_VM_MODULE:-}" ] && [ -n "${KPY_VM_ABI:-}" ] ||
		rig_error "KPY_VM_VMLINUZ needs KPY_VM_ABI and KPY_VM_MODULE"
	kinfo="abi=$KPY_VM_ABI
vmlinuz=$KPY_VM_VMLINUZ"
else
	kinfo=$("$vm/$vm_fetch") || rig_error "test/vm/$vm_fetch failed"
fi
vm_arch_kinfo "$kinfo" || rig_error "no build environment for the kernel's compiler"
image_deb=$(sed -n 's/^image_deb=//p' <<<"$kinfo")
abi=$(sed -n 's/^abi=//p' <<<"$kinfo")
kdir=$(sed -n 's/^kdir=//p' <<<"$kinfo")
vmlinuz=$(sed -n 's/^vmlinuz=//p' <<<"$kinfo")

module=$("$vm/module.sh" "$kdir" "$out/build.log") ||
	rig_error "module build failed (full log: $out/build.log)"
[ -f "$module" ] || rig_error "no module at $module"
case $(modinfo -F vermagic "$module") in
"$abi "*) ;;
*) rig_error "$module is not built for $abi" ;;
esac
[ -z "$(modinfo -F depends "$module")" ] ||
	rig_error "$module depends on other modules (test/vm/run.sh handles that)"

if [ -n "${KPY_CONF_TESTS:-}" ]; then
	tests=$(cd "$KPY_CONF_TESTS" && pwd) || rig_error "no $KPY_CONF_TESTS"
else
	. "$top/micropython/pin.env"
	tests=$top/micropython/$MP_DIR/tests
	[ -f "$tests/run-tests.py" ] || make -C "$top" fetch >&2 ||
		rig_error "cannot fetch the MicroPython source"
fi
[ -f "$tests/run-tests.py" ] || rig_error "no $tests/run-tests.py"
# Physical, as run-tests.py names the files it runs.
tests=$(cd "$tests" && pwd -P)

# --- the test set ------------------------------------------------------------
cases=$out/cases
rm -rf "$cases" && mkdir -p "$cases/tests/feature_check" ||
	rig_error "cannot create $cases"
# The rig's driver runs conformance.sh as its only case; its watchdog fires
# a little before the host gives up on the VM.
cp "$here/guest/conformance.sh" "$cases/" &&
	echo $((vm_timeout > 60 ? vm_timeout - 30 : vm_timeout)) \
		>"$cases/conformance.timeout" &&
	echo "$test_timeout" >"$cases/tests/test-timeout" &&
	cp "$tests"/feature_check/*.py "$cases/tests/feature_check/" ||
	rig_error "cannot copy the feature checks"
for d in $dirs; do
	case $d in
	feature_check | *..* | /* | *[!a-z0-9_/]*) rig_error "bad test directory '$d'" ;;
	esac
	[ -d "$tests/$d" ] || rig_error "no directory $tests/$d"
	mkdir -p "$cases/tests/$d" && cp "$tests/$d"/*.py "$cases/tests/$d/" ||
		rig_error "cannot copy the tests of $d"
	# Files the tests open (tests/io/data), relative to their directory.
	if [ -d "$tests/$d/data" ]; then
		cp -R "$tests/$d/data" "$cases/tests/$d/" ||
			rig_error "cannot copy the data of $d"
	fi
done
# Feature checks first (run-tests.py asks for them before anything else),
# then the tests in the order run-tests.py takes them.
(cd "$cases/tests" && ls feature_check/*.py &&
	for d in $dirs; do ls "$d"/*.py; done | LC_ALL=C sort) \
	>"$cases/tests/list.txt"
if [ $# -gt 0 ]; then
	python3 - "$cases/tests/list.txt" "$@" <<'PY' || rig_error "bad selection"
import re, sys
path, pats = sys.argv[1], [re.compile(p) for p in sys.argv[2:]]
names = open(path).read().split()
keep = [n for n in names if n.startswith("feature_check/") or any(p.search(n) for p in pats)]
open(path, "w").write("".join(n + "\n" for n in keep))
PY
fi
mapfile -t selected < <(grep -v '^feature_check/' "$cases/tests/list.txt")
[ "${#selected[@]}" -gt 0 ] || rig_error "no test matches: $*"

initrd=$out/initrd.cpio.gz
# The results channel's drivers, where they are modules (arm64: arch.sh),
# from the kernel's image package, loaded before kpython.
chan_deps=()
if [ -n "$vm_results_modules" ]; then
	[ -n "$image_deb" ] || rig_error "the results channel needs $vm_results_modules: no image package"
	rm -rf "$out/deps" && mkdir -p "$out/deps" &&
		dpkg-deb --fsys-tarfile "$image_deb" | tar -x -C "$out/deps" \
			--wildcards "./lib/modules/$abi/kernel/drivers/*" ||
		rig_error "cannot extract modules from $image_deb"
	for m in $vm_results_modules; do
		f=$(find "$out/deps" -name "$m.ko*" | head -n 1)
		[ -n "$f" ] || rig_error "no $m in $image_deb"
		chan_deps+=(-d "$f")
	done
fi
"$vm/mkinitramfs.sh" -o "$initrd" -m "$module" -c "$top/client/kpython" \
	-t "$cases" -a "$module_args" "${chan_deps[@]}" || rig_error "test/vm/mkinitramfs.sh failed"

# --- boot, and judge while the VM runs ---------------------------------------
# The guest's console (kernel messages, the rig's markers) is ttyS0 (arm64:
# ttyAMA0); the results come over ttyS1 (arm64: hvc0; test/vm/arch.sh). results.py decodes them as they arrive and
# run-tests.py judges each test as soon as its result is there (one job:
# the VM is the bottleneck, and its threads would interleave the lines that
# report.py reads).
console=$out/console.log
channel=$out/results.log
results=$out/results
stop=$out/vm-exited
rm -rf "$console" "$channel" "$results" "$stop" "$out/run-tests" \
	"$out/run-tests.log" "$out/results.json"
: >"$channel"

python3 "$here/results.py" "$channel" "$results" --follow "$stop" \
	>"$out/results.json" &
decoder=$!
# CPython for the expected outputs: the interpreter itself, not a wrapper
# (a pyenv shim costs 0.1 s a start).
cpython=$(python3 -c 'import sys; print(sys.executable)') ||
	rig_error "python3 does not run"
(
	cd "$tests" &&
		MICROPY_MICROPYTHON=$here/replay.sh MICROPY_CPYTHON3=$cpython \
		KPY_CONF_RESULTS=$results KPY_CONF_TESTS=$tests \
		KPY_CONF_WAIT=$((vm_timeout + 60)) \
		exec timeout $((vm_timeout + 300)) "$cpython" run-tests.py \
		-j 1 -r "$out/run-tests" "${selected[@]}"
) >"$out/run-tests.log" 2>&1 &
judge=$!

log "booting kernel $abi: ${#selected[@]} tests of $dirs (insmod $module_args)"
t_boot=$EPOCHREALTIME
# shellcheck disable=SC2046 # the channel's qemu arguments (no blanks in $channel)
timeout -k 10 "$vm_timeout" "${vm_qemu[@]}" \
	-m "${KPY_VM_MEM:-512}" -smp 2 -nographic -no-reboot \
	-kernel "$vmlinuz" -initrd "$initrd" \
	-serial mon:stdio $(vm_results_qemu "$channel") \
	-append "console=$vm_console panic=-1 $vm_arch_append KPY_CONF_TTY=$vm_results_tty loglevel=4 log_buf_len=16M ${KPY_VM_APPEND:-}" \
	${KPY_VM_QEMU_ARGS:-} </dev/null >"$console" 2>&1
qemu_st=$?
t_vm=$(elapsed "$t_boot")
touch "$stop"
[ "$qemu_st" = 0 ] || log "qemu exited with status $qemu_st"
log "VM ran $t_vm s"

wait "$decoder" || log "results.py failed"
decoder=
[ -e "$results/.complete" ] || { mkdir -p "$results" && : >"$results/.complete"; }
wait "$judge"
judge_st=$?
judge=
log "all judged $(elapsed "$t_boot") s after boot"

rig=$(awk -v cases="insmod conformance rmmod" -f "$vm/report.awk" "$console")
[ -s "$out/results.json" ] || echo '{}' >"$out/results.json"
python3 "$here/report.py" --tests "$tests" --dirs "$dirs" \
	--results "$results" --summary "$out/results.json" \
	--console "$console" --selected "$cases/tests/list.txt" \
	--qemu-status "$qemu_st" --rig "$rig" \
	--run-tests-log "$out/run-tests.log" --run-tests-status "$judge_st" \
	--run-tests-dir "$out/run-tests"
st=$?
log "total $(elapsed "$t_start") s (VM $t_vm s)"
exit $st
