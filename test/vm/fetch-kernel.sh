#!/bin/sh
# fetch-kernel.sh - provide a Debian bookworm kernel for the VM test rig.
#
# Chooses an ABI (6.1.0-N-amd64): $KPY_VM_ABI, or the newest one apt knows.
# Installs linux-headers-<abi> on the host (to build the module against),
# downloads linux-image-<abi>-unsigned into .cache/vm/<abi>/ and extracts
# boot/vmlinuz-<abi> from it. Idempotent; quick when everything is cached.
#
# stdout: key=value lines for scripts (abi, kdir, vmlinuz, image_deb);
# stderr: progress.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cache_root=${KPY_VM_CACHE:-$top/.cache/vm}

log() { printf 'fetch-kernel: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# newest_abi: the newest generic amd64 ABI of the series KPY_VM_SERIES:
# 6.1 (default; 6.1.0-N-amd64) or 6.12 (6.12.N+deb12-amd64, bookworm-security).
newest_abi() {
	case ${KPY_VM_SERIES:-6.1} in
	6.1) pattern='^linux-headers-6\.1\.0-[0-9]+-amd64$' ;;
	6.12) pattern='^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' ;;
	*) die "unknown KPY_VM_SERIES '$KPY_VM_SERIES' (6.1 or 6.12)" ;;
	esac
	apt-cache search --names-only "$pattern" |
		awk '{ print $1 }' | sed 's/^linux-headers-//' | sort -V | tail -n 1
}

abi=${KPY_VM_ABI:-}
if [ -z "$abi" ]; then
	abi=$(newest_abi)
	[ -n "$abi" ] || die "apt knows no linux-headers of series ${KPY_VM_SERIES:-6.1} (run apt-get update?)"
fi
case $abi in
*[!0-9a-z.+-]* | "") die "bad ABI '$abi'" ;;
[0-9]*.*.*-[0-9]*-amd64 | [0-9]*.*.*+deb[0-9]*-amd64) ;;
*) die "bad ABI '$abi' (want e.g. 6.1.0-56-amd64 or 6.12.117+deb12-amd64)" ;;
esac

cache=$cache_root/$abi
kdir=/usr/src/linux-headers-$abi
vmlinuz=$cache/vmlinuz-$abi
mkdir -p "$cache"

# Serialize concurrent runs on the same cache directory.
if [ -z "${KPY_VM_FETCH_LOCKED:-}" ] && command -v flock >/dev/null; then
	KPY_VM_FETCH_LOCKED=1 KPY_VM_ABI=$abi exec flock "$cache/.lock" "$0" "$@"
fi

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

apt_retry() {
	# Retry once after refreshing the package lists (stale lists are the
	# usual reason for a 404 on a kernel ABI that was just superseded).
	"$@" >&2 || { apt-get update >&2 && "$@" >&2; }
}

if installed "linux-headers-$abi" && [ -f "$kdir/Makefile" ]; then
	log "headers linux-headers-$abi already installed"
else
	log "installing linux-headers-$abi"
	DEBIAN_FRONTEND=noninteractive apt_retry \
		apt-get install -y -q "linux-headers-$abi"
	[ -f "$kdir/Makefile" ] || die "$kdir/Makefile missing after install"
fi

image_pkg=linux-image-$abi-unsigned
image_deb=$(ls "$cache/${image_pkg}"_*.deb 2>/dev/null | sort -V | tail -n 1) || true
if [ -n "$image_deb" ] && [ -s "$image_deb" ]; then
	log "image package cached: $(basename "$image_deb")"
else
	log "downloading $image_pkg"
	# apt-get download writes into the current directory; do it in a
	# scratch directory so a partial download never looks cached.
	tmp=$(mktemp -d "$cache/.dl.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt_retry apt-get download -q \
		-o APT::Sandbox::User=root "$image_pkg")
	for f in "$tmp"/*.deb; do
		[ -f "$f" ] || die "apt-get download produced no .deb"
		mv "$f" "$cache/"
		image_deb=$cache/$(basename "$f")
	done
	rm -f "$vmlinuz"
fi

if [ -s "$vmlinuz" ] && [ -n "$(find "$vmlinuz" -newer "$image_deb")" ]; then
	log "kernel image cached: $vmlinuz"
else
	log "extracting boot/vmlinuz-$abi"
	dpkg-deb --fsys-tarfile "$image_deb" |
		tar -xO "./boot/vmlinuz-$abi" >"$vmlinuz.tmp"
	[ -s "$vmlinuz.tmp" ] || die "no boot/vmlinuz-$abi in $image_deb"
	mv "$vmlinuz.tmp" "$vmlinuz"
fi

printf 'abi=%s\nkdir=%s\nvmlinuz=%s\nimage_deb=%s\n' \
	"$abi" "$kdir" "$vmlinuz" "$image_deb"
