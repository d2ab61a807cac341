#!/bin/bash
# run.sh - build kpython.ko and run the VM test suite in qemu, in one command.
#
# usage: test/vm/run.sh [CASE-PATTERN...]
#
# Fetches a Debian bookworm kernel (fetch-kernel.sh), builds the module with
# `make KDIR=/usr/src/linux-headers-<abi>`, packs an initramfs with the module,
# the client and the cases (mkinitramfs.sh), boots it under qemu (software
# emulation) and reports one line per case, then "N passed, N failed[, N
# skipped]". Exit status: 0 all passed, 1 a case failed, 2 the rig itself
# could not run. CASE-PATTERNs (shell globs on case names) select cases.
#
# Environment:
#   KPY_VM_ABI          kernel ABI, e.g. 6.1.0-56-amd64 (default: newest)
#   KPY_VM_MODULE       use this prebuilt kpython.ko instead of building
#   KPY_VM_VMLINUZ      boot this kernel image (with KPY_VM_ABI, KPY_VM_MODULE)
#   KPY_VM_MODULE_ARGS  insmod parameters (default: timeout_ms=2000)
#   KPY_VM_TIMEOUT      wall-clock limit for the VM in seconds (default: 120 s
#                       plus 3 s per selected case)
#   KPY_VM_APPEND       extra kernel command line
#   KPY_VM_PANIC_ARGS   what panics the VM (default: oops=panic softlockup_panic=1)
#   KPY_VM_PREEMPT_ARGS preemption model (default: preempt=full)
#   KPY_VM_QEMU_ARGS    extra qemu arguments (e.g. -icount shift=0)
#   KPY_VM_MEM          guest memory in MiB (default 512; a KASAN kernel
#                       needs more: test/vm/debug-kernel.sh gives 2048)
#   KPY_VM_OUT          where logs and the initramfs go (default: .cache/vm/run)
#   KPY_VM_CASES        cases directory (default: test/vm/cases)
#   KPY_VM_VERBOSE=1    echo the whole console while the VM runs
#   KPY_VM_ARCH         amd64 (default) or arm64: Debian's arm64 kernels,
#                       the module cross-built, qemu-system-aarch64
#                       (test/vm/arch.sh; KPY_VM_SERIES as for
#                       fetch-kernel-arm64.sh)
#   KPY_VM_TIME_SCALE   multiplier of every time budget (default: per arch)
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=test/vm/arch.sh
. "$here/arch.sh" || exit 2
out=${KPY_VM_OUT:-$top/.cache/vm/run}
[ "$vm_arch" = amd64 ] || out=${KPY_VM_OUT:-$top/.cache/vm/run-$vm_arch}
module_args=${KPY_VM_MODULE_ARGS-timeout_ms=2000}

t_start=$EPOCHREALTIME

log() { printf 'run.sh: %s\n' "$*" >&2; }

# rig_error MESSAGE: the rig could not run; still end with the summary line.
rig_error() {
	log "error: $*"
	echo "FAIL rig: $*"
	echo "0 passed, 1 failed"
	exit 2
}

elapsed() { # elapsed FROM [TO]
	awk -v a="$1" -v b="${2:-$EPOCHREALTIME}" 'BEGIN { printf "%.1f", b - a }'
}

# --- host prerequisites ------------------------------------------------------
# shellcheck disable=SC2046 # a list of COMMAND:PACKAGE words
"$here/ensure-host.sh" $(vm_arch_host_needs) || rig_error "cannot install the host prerequisites"

mkdir -p "$out" || rig_error "cannot create $out"
# One run at a time per output directory.
exec 9>"$out/.lock"
if ! flock -n 9; then
	log "waiting for another run.sh using $out"
	flock 9 || rig_error "cannot lock $out"
fi

# --- kernel ------------------------------------------------------------------
# A kernel image of the caller's (KPY_VM_VMLINUZ, with KPY_VM_ABI and a
# prebuilt KPY_VM_MODULE) is booted as is: e.g. a Debian trixie kernel whose
# headers need a compiler the host does not have.
if [ -n "${KPY_VM_VMLINUZ:-}" ]; then
	[ -n "${KPY_VM_MODULE:-}" ] && [ -n "${KPY_VM_ABI:-}" ] ||
		rig_error "KPY_VM_VMLINUZ needs KPY_VM_ABI and KPY_VM_MODULE"
	kinfo="abi=$KPY_VM_ABI
vmlinuz=$KPY_VM_VMLINUZ"
else
	kinfo=$("$here/$vm_fetch") || rig_error "$vm_fetch failed"
fi
vm_arch_kinfo "$kinfo" || rig_error "no build environment for the kernel's compiler"
abi=$(sed -n 's/^abi=//p' <<<"$kinfo")
kdir=$(sed -n 's/^kdir=//p' <<<"$kinfo")
vmlinuz=$(sed -n 's/^vmlinuz=//p' <<<"$kinfo")
image_deb=$(sed -n 's/^image_deb=//p' <<<"$kinfo")
log "kernel $abi: $vmlinuz"

# --- module ------------------------------------------------------------------
module=$("$here/module.sh" "$kdir" "$out/build.log") ||
	rig_error "module build failed (full log: $out/build.log)"
[ -f "$module" ] || rig_error "no module at $module"
vermagic=$(modinfo -F vermagic "$module" 2>/dev/null)
case $vermagic in
"$abi "*) ;;
*) rig_error "$module has vermagic '$vermagic', not for $abi" ;;
esac

# Modules kpython.ko depends on come from the image package (usually none).
dep_args=()
deps=$(modinfo -F depends "$module" | tr ',' ' ')
if [ -n "$deps" ]; then
	depdir=$out/deps
	rm -rf "$depdir" && mkdir -p "$depdir"
	dpkg-deb --fsys-tarfile "$image_deb" | tar -x -C "$depdir" \
		--wildcards "./lib/modules/$abi/*" ||
		rig_error "cannot extract modules from $image_deb"
	# Resolve recursively, dependencies first.
	resolve() {
		local m f d
		for m in "$@"; do
			case " $resolved " in *" $m "*) continue ;; esac
			f=$(find "$depdir" -name "$m.ko*" | head -n 1)
			[ -n "$f" ] || rig_error "dependency $m not found in $image_deb"
			d=$(modinfo -F depends "$f" | tr ',' ' ')
			[ -n "$d" ] && resolve $d
			resolved="$resolved $m"
			dep_args+=(-d "$f")
		done
	}
	resolved=
	resolve $deps
	log "module dependencies:$resolved"
fi

# --- cases -------------------------------------------------------------------
cases_dir=${KPY_VM_CASES:-$here/cases}
selected=$out/cases
rm -rf "$selected" && cp -R "$cases_dir" "$selected" ||
	rig_error "cannot copy the cases"
if [ $# -gt 0 ]; then
	for f in "$selected"/*.py "$selected"/*.sh; do
		[ -e "$f" ] || continue
		name=${f##*/}
		name=${name%.*}
		keep=
		for pat in "$@"; do
			# shellcheck disable=SC2053 # the pattern is a glob on purpose
			[[ $name == $pat ]] && keep=1
		done
		[ -n "$keep" ] || rm -f "$f"
	done
fi
# Signed-script fixtures of the Secure Boot cases (6NN): sign-file of the
# kernel's headers (or KPY_SIG_FILE), a throwaway key cached in $out.
if [ -n "$kdir" ] && [ -z "${KPY_SIG_FILE:-}" ] && [ -x "$kdir/scripts/sign-file" ]; then
	export KPY_SIG_FILE=$kdir/scripts/sign-file
fi
"$here/sig-fixtures.sh" "$selected" "$out/sig-keys" || rig_error "sig-fixtures.sh failed"
names=$(cd "$selected" && ls | sed -n 's/\.\(py\|sh\)$//p' | LC_ALL=C sort)
[ -n "$names" ] || rig_error "no case matches: $*"
ncases=$(wc -w <<<"$names")
# A net for a VM that hangs as a whole (each case has its own budget in the
# guest, and oopses and soft lockups end the VM at once): it grows with the
# cases, which take up to their 2 s time limit each, slower on a busy host.
vm_timeout=${KPY_VM_TIMEOUT:-$(((120 + 3 * ncases) * vm_time_scale))}

initrd=$out/initrd.cpio.gz
"$here/mkinitramfs.sh" -o "$initrd" -m "$module" -c "$top/client/kpython" \
	-t "$selected" -a "$module_args" "${dep_args[@]}" ||
	rig_error "mkinitramfs.sh failed"

# --- boot ----------------------------------------------------------------------
# The emulator, console and architecture's own boot words: test/vm/arch.sh.
# An oops or a soft lockup ends the VM at once (panic=-1 reboots, -no-reboot
# stops qemu): the case that caused it is reported as the one without a
# result, and no later case waits on a lock the dead task still holds. Both
# already fail the kernel-log scan, so this adds no false alarm. Not
# panic_on_warn: boot-time WARNINGs before the insmod are harmless, and a
# WARNING after it fails the scan anyway with the rest of the suite run.
panic_args=${KPY_VM_PANIC_ARGS-oops=panic softlockup_panic=1}
# Full preemption (Debian's kernels are PREEMPT_DYNAMIC, voluntary by
# default): kernel code outside FPU sections can be preempted anywhere,
# which is what 407-float-preempt needs and what the rest should survive.
preempt_args=${KPY_VM_PREEMPT_ARGS-preempt=full}
console=$out/console.log
log "booting $abi with $ncases case(s), module args '$module_args'" \
	"(limit ${vm_timeout} s, console: $console)"
t_boot=$EPOCHREALTIME
t_first=
: >"$console"
# stdin must not be the terminal: -nographic would put it in raw mode.
timeout -k 10 "$vm_timeout" "${vm_qemu[@]}" \
	-m "${KPY_VM_MEM:-512}" -smp 2 -nographic -no-reboot \
	-kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=$vm_console panic=-1 $vm_arch_append $panic_args loglevel=4 log_buf_len=16M $preempt_args ${KPY_VM_APPEND:-}" \
	${KPY_VM_QEMU_ARGS:-} </dev/null 2>&1 |
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%$'\r'}
		printf '%s\n' "$line" >>"$console"
		if [ -n "${KPY_VM_VERBOSE:-}" ]; then
			printf '%s\n' "$line" >&2
		fi
		case $line in
		*"@@KPY PASS "* | *"@@KPY FAIL "* | *"@@KPY SKIP "*)
			if [ -z "$t_first" ]; then
				t_first=$EPOCHREALTIME
				echo "$t_first" >"$out/first-result"
			fi
			[ -n "${KPY_VM_VERBOSE:-}" ] || printf '  %s\n' "${line#*@@KPY }" >&2
			;;
		esac
	done
qemu_st=${PIPESTATUS[0]}
t_end=$EPOCHREALTIME
if [ "$qemu_st" = 124 ] || [ "$qemu_st" = 137 ]; then
	log "qemu killed after the ${vm_timeout} s limit"
elif [ "$qemu_st" != 0 ]; then
	log "qemu exited with status $qemu_st"
fi

# --- report ------------------------------------------------------------------
echo "=== kpython VM tests: kernel $abi, module args '$module_args'"
# shellcheck disable=SC2086 # names is a word list
report=$(awk -v cases="insmod $(echo $names) rmmod" -f "$here/report.awk" "$console")
report_st=$?
sed '$d' <<<"$report"
counts=$(tail -n 1 <<<"$report")
passed=$(sed -n 's/.*passed=\([0-9]*\).*/\1/p' <<<"$counts")
failed=$(sed -n 's/.*failed=\([0-9]*\).*/\1/p' <<<"$counts")
skipped=$(sed -n 's/.*skipped=\([0-9]*\).*/\1/p' <<<"$counts")

if [ "$qemu_st" = 124 ] || [ "$qemu_st" = 137 ]; then
	echo "FAIL vm: killed after the ${vm_timeout} s wall-clock limit"
	failed=$((failed + 1))
	report_st=1
fi

first=$(cat "$out/first-result" 2>/dev/null)
rm -f "$out/first-result"
insmod_up=$(sed -n 's/.*@@KPY BOOTED uptime=\([0-9.]*\).*/\1/p' "$console")
[ -n "$first" ] && first="$(elapsed "$t_boot" "$first") s"
echo "--- timings: boot-to-first-result ${first:-n/a}" \
	"(guest uptime at /init ${insmod_up:-n/a} s), VM $(elapsed "$t_boot" "$t_end") s," \
	"total $(elapsed "$t_start" "$t_end") s"
echo "--- console log: $console"
summary="$passed passed, $failed failed"
[ "${skipped:-0}" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$report_st" = 0 ] && [ "$failed" = 0 ]
