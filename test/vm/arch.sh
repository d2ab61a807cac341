# arch.sh - sourced (bash) by the VM rigs (test/vm/run.sh,
# test/conformance/run.sh): everything that differs between the target
# architectures, in one place. KPY_VM_ARCH: amd64 (default) or arm64.
#
# Sets: vm_arch, vm_fetch (the script that provides the kernel), vm_qemu
# (array: the emulator and its machine), vm_console (the console device),
# vm_arch_append (kernel command line words), vm_time_scale (multiplier of
# every time budget: the cases' in the guest, through CASE_TIMEOUT_SCALE on
# the command line, and the rigs' VM limits) and, for a cross target,
# exports ARCH and CROSS_COMPILE for the module build (test/vm/module.sh)
# and KPY_BUSYBOX_LIST for mkinitramfs.sh (the target's busybox cannot run
# here; the host's busybox-static of the same Debian release lists the same
# applets). vm_arch_kinfo KINFO: adopt what the fetch script printed
# (the target's busybox).

vm_arch=${KPY_VM_ARCH:-amd64}
case $vm_arch in
amd64)
	vm_fetch=fetch-kernel.sh
	vm_qemu=(qemu-system-x86_64)
	vm_console=ttyS0
	# no_timer_check: under emulation on a busy host the IO-APIC timer
	# check at boot can miss its ticks and panic.
	vm_arch_append=no_timer_check
	vm_time_scale=${KPY_VM_TIME_SCALE:-1}
	;;
arm64)
	vm_fetch=fetch-kernel-arm64.sh
	# pauth-impdef=on: qemu's cheap pointer-authentication algorithm
	# (the architected QARMA5 made the boot 7.5 s instead of 2 s here).
	vm_qemu=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on)
	vm_console=ttyAMA0
	vm_arch_append=
	# Measured on this 2-core host (test/vm/README.md): TCG of arm64
	# runs the cases about as fast as x86-64's; 2 leaves the same margin
	# on a loaded machine.
	vm_time_scale=${KPY_VM_TIME_SCALE:-2}
	export ARCH=arm64 CROSS_COMPILE=${CROSS_COMPILE:-aarch64-linux-gnu-}
	export KPY_BUSYBOX_LIST=${KPY_BUSYBOX_LIST:-/bin/busybox}
	;;
*)
	echo "arch.sh: unknown KPY_VM_ARCH '$vm_arch' (amd64 or arm64)" >&2
	return 1
	;;
esac
# The time scale reaches the guest's driver as CASE_TIMEOUT_SCALE; one
# given in KPY_VM_APPEND (later on the command line) wins.
[ "$vm_time_scale" = 1 ] ||
	vm_arch_append="$vm_arch_append CASE_TIMEOUT_SCALE=$vm_time_scale"

vm_arch_kinfo() {
	local bb cc suite
	bb=$(sed -n 's/^busybox=//p' <<<"$1")
	if [ -n "$bb" ] && [ -z "${KPY_BUSYBOX:-}" ]; then
		export KPY_BUSYBOX=$bb
	fi
	# The kernel's compiler (its headers' Depends): when this host has no
	# such cross compiler (trixie's gcc-14 on a bookworm host), the module
	# is built in a container that has it (test/vm/module.sh).
	cc=$(sed -n 's/^compiler=//p' <<<"$1")
	suite=$(sed -n 's/^suite=//p' <<<"$1")
	if [ "$vm_arch" != amd64 ] && [ -n "$cc" ] && [ -z "${KPY_VM_BUILD_IMAGE:-}" ] &&
		! command -v "$CROSS_COMPILE$cc" >/dev/null; then
		KPY_VM_BUILD_IMAGE=$("$top/test/vm/cross-image.sh" "$suite" "$cc") || return 1
		export KPY_VM_BUILD_IMAGE
	fi
	# State a compiler that is not exactly the kernel's: bookworm's cross
	# gcc-12 (12.2.0-14cross1) lacks the CVE-2023-4039 stack-protector fix
	# of the native 12.2.0-14+deb12u1 that built bookworm's arm64 kernels,
	# so objects differ (FIELD-NOTES). Acceptable for these tests; the
	# service's compiler policy is its own (issue 9, part 3).
	local kdir want have
	kdir=$(sed -n 's/^kdir=//p' <<<"$1")
	if [ "$vm_arch" != amd64 ] && [ -z "${KPY_VM_BUILD_IMAGE:-}" ] && [ -f "$kdir/.config" ]; then
		want=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$kdir/.config")
		have=$("$CROSS_COMPILE$cc" --version 2>/dev/null | head -n 1)
		[ "${want#* }" = "${have#* }" ] ||
			echo "arch.sh: note: the module is built by '$have', the kernel was built by '$want'" >&2
	fi
}

# ensure-host.sh arguments: the emulator, and the cross toolchain.
vm_arch_host_needs() {
	case $vm_arch in
	arm64)
		echo qemu-system-aarch64:qemu-system-arm \
			"${CROSS_COMPILE}gcc-12:gcc-12-aarch64-linux-gnu"
		;;
	esac
}

# The conformance rig's second channel (results, away from the console):
# x86-64's second 16550 (ttyS1); qemu's arm64 virt machine has one PL011
# only, so a virtio console (hvc0), whose drivers Debian's arm64 kernel
# builds as modules: vm_results_modules names them, loaded before kpython.
case $vm_arch in
amd64)
	vm_results_tty=/dev/ttyS1
	vm_results_qemu() { echo "-serial file:$1"; }
	vm_results_modules=
	;;
arm64)
	vm_results_tty=/dev/hvc0
	vm_results_qemu() {
		echo "-device virtio-serial-device -chardev file,id=kpyres,path=$1" \
			"-device virtconsole,chardev=kpyres"
	}
	vm_results_modules="virtio_mmio virtio_console"
	;;
esac
