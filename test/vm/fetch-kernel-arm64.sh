#!/bin/sh
# fetch-kernel-arm64.sh - provide a Debian arm64 kernel for the VM rig, on an
# amd64 host, without touching the host's apt or dpkg state.
#
# KPY_VM_SERIES: 6.1 (default: the newest 6.1.0-N-arm64 of the host's
# bookworm suites), 6.12 (the newest 6.12.N+deb12-arm64 of bookworm-security)
# or trixie (the release trixie's linux-image-arm64 points at). KPY_VM_ABI
# names one exactly. Downloads, through a private apt configuration for
# arm64 (+ amd64), linux-headers-<abi> (arm64), its -common (all), the amd64
# linux-kbuild of the same version (it serves any target: FIELD-NOTES),
# linux-image-<abi>-unsigned and busybox-static:arm64 of the host's own
# busybox-static version (mkinitramfs.sh lists the applets with the host's
# busybox, KPY_BUSYBOX_LIST; bookworm's for trixie kernels too, as the amd64
# tier does); unpacks
# the headers into a private root and extracts vmlinuz. Everything is cached
# under ${KPY_CACHE_DIR:-/var/cache/kpython}/arm64-kernel/<abi>_<version>/.
#
# The flavour headers' one-line Makefile includes the -common Makefile by its
# absolute /usr/src path; in the private root that line is pointed at the
# root's copy (the tree is derived data, the .debs stay as downloaded).
#
# stdout: key=value lines (suite, abi, kdir, vmlinuz, image_deb, busybox, compiler,
# cross, version); stderr: progress.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache_root=${KPY_CACHE_DIR:-/var/cache/kpython}/arm64-kernel
series=${KPY_VM_SERIES:-6.1}

log() { printf 'fetch-kernel-arm64: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

mkdir -p "$cache_root"
# Package lists of the private apt, per suite set, refreshed on every run
# (~3 s), under the cache root's lock.
case $series in
6.1 | 6.12) lists=bookworm ;;
trixie) lists=trixie ;;
*) die "unknown KPY_VM_SERIES '$series' (6.1, 6.12 or trixie)" ;;
esac
state=$cache_root/apt-$lists
if [ -z "${KPY_ARM64_FETCH_LOCKED:-}" ] && command -v flock >/dev/null; then
	KPY_ARM64_FETCH_LOCKED=1 exec flock "$cache_root/.lock-$lists" "$0" "$@"
fi
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/parts"
: >"$state/status"
opts="-o APT::Architecture=arm64 -o APT::Architectures::=arm64
-o APT::Architectures::=amd64 -o Dir::State::Lists=$state/lists
-o Dir::State::status=$state/status -o Dir::Cache=$state/cache
-o APT::Sandbox::User=root -o Debug::NoLocking=1"
if [ "$lists" = trixie ]; then
	# The host's suites are bookworm's: trixie from the host's mirror (or
	# KPY_DEBIAN_MIRROR), as tools/apt-suite.sh does for amd64; bookworm
	# too, for the busybox.
	mirror=${KPY_DEBIAN_MIRROR:-$("$top/tools/apt-mirror.sh")}
	[ -n "$mirror" ] || die "no Debian mirror: set KPY_DEBIAN_MIRROR"
	cat >"$state/parts/trixie.sources" <<SRC
Types: deb
URIs: $mirror
Suites: trixie bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	opts="$opts -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$state/parts"
fi
# shellcheck disable=SC2086 # opts is a list of words without blanks
apt() { "$@" $opts; }
apt apt-get -qq update >&2 || die "apt-get update (arm64 lists) failed"

abi=${KPY_VM_ABI:-}
if [ -z "$abi" ]; then
	case $series in
	6.1) pattern='^linux-headers-6\.1\.0-[0-9]+-arm64$' ;;
	6.12) pattern='^linux-headers-6\.12\.[0-9]+\+deb12-arm64$' ;;
	trixie)
		# Depends of the metapackage: linux-image-<abi> (the signed one).
		pattern=^linux-headers-$(apt apt-cache show linux-image-arm64 |
			sed -n 's/^Depends: .*linux-image-\([0-9][^ ,]*-arm64\).*/\1/p' |
			sort -V | tail -n 1 | sed 's/[.+]/\\&/g')\$
		;;
	esac
	abi=$(apt apt-cache search --names-only "$pattern" | awk '{ print $1 }' |
		sed 's/^linux-headers-//' | sort -V | tail -n 1)
	[ -n "$abi" ] || die "no arm64 headers match $pattern"
fi
case $abi in
*[!0-9a-z.+-]* | "") die "bad ABI '$abi'" ;;
*-arm64) ;;
*) die "bad ABI '$abi' (want e.g. 6.1.0-57-arm64)" ;;
esac

hdr=linux-headers-$abi
version=$(apt apt-cache show "$hdr:arm64" | sed -n 's/^Version: //p' | sort -V | tail -n 1)
[ -n "$version" ] || die "apt knows no $hdr"
dir=$cache_root/${abi}_$version
root=$dir/root
kdir=$root/usr/src/$hdr
vmlinuz=$dir/vmlinuz-$abi

if [ ! -f "$dir/.complete" ]; then
	log "downloading $hdr $version and its kbuild, image, busybox (arm64)"
	deps=$(apt apt-cache show "$hdr:arm64=$version" | sed -n 's/^Depends: //p' | head -n 1)
	common=$(printf '%s\n' "$deps" | tr ',' '\n' | sed -n 's/^ *\(linux-headers-[^ ]*-common\).*/\1/p')
	kbuild=$(printf '%s\n' "$deps" | tr ',' '\n' | sed -n 's/^ *\(linux-kbuild-[^ ]*\).*/\1/p')
	[ -n "$common" ] && [ -n "$kbuild" ] || die "cannot read $hdr's Depends: $deps"
	cc=$(printf '%s\n' "$deps" | tr ',' '\n' | sed -n 's/^ *\(gcc-[0-9]*\)\( .*\)\{0,1\}$/\1/p')
	bb_version=$(dpkg-query -W -f='${Version}' busybox-static) ||
		die "the host has no busybox-static (test/vm/ensure-host.sh installs it)"
	tmp=$dir.part-$$
	rm -rf "$tmp" && mkdir -p "$tmp/debs" "$tmp/root"
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp/debs" && apt apt-get -qq download "$hdr:arm64=$version" \
		"$common=$version" "$kbuild:amd64=$version" \
		"linux-image-$abi-unsigned:arm64=$version" "busybox-static:arm64=$bb_version") >&2 ||
		die "apt-get download failed"
	for d in "$tmp"/debs/linux-headers-*.deb "$tmp"/debs/linux-kbuild-*.deb; do
		dpkg-deb --fsys-tarfile "$d" | tar -x -C "$tmp/root" ||
			die "cannot unpack $d"
	done
	sed -i "s|^include /usr/src/|include $root/usr/src/|" "$tmp/root/usr/src/$hdr/Makefile"
	image=$(ls "$tmp"/debs/linux-image-*.deb)
	dpkg-deb --fsys-tarfile "$image" | tar -xO "./boot/vmlinuz-$abi" >"$tmp/vmlinuz-$abi"
	[ -s "$tmp/vmlinuz-$abi" ] || die "no boot/vmlinuz-$abi in $image"
	dpkg-deb --fsys-tarfile "$tmp"/debs/busybox-static_*.deb | tar -xO ./bin/busybox >"$tmp/busybox"
	chmod 755 "$tmp/busybox"
	echo "${cc:-gcc-12}" >"$tmp/compiler"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	trap - EXIT
	touch "$dir/.complete"
else
	log "cached: $dir"
fi
[ -f "$kdir/Makefile" ] || die "no $kdir/Makefile"

printf 'suite=%s\nabi=%s\nversion=%s\nkdir=%s\nvmlinuz=%s\nimage_deb=%s\nbusybox=%s\ncompiler=%s\ncross=aarch64-linux-gnu-\n' \
	"$lists" "$abi" "$version" "$kdir" "$vmlinuz" "$(ls "$dir"/debs/linux-image-*.deb)" \
	"$dir/busybox" "$(cat "$dir/compiler")"
