#!/bin/sh
# build.sh - provide the debug kernel: Debian's 6.1 kernel source from the
# archive, built with KASAN, KFENCE, UBSAN, lockdep, DEBUG_ATOMIC_SLEEP and
# kmemleak on a small qemu config (x86_64_defconfig + debug.config).
#
# The source is the newest `linux` 6.1 source package of the suites in
# KPY_DEBUG_KERNEL_SUITES (default: bookworm-security, then bookworm; a suite
# whose files the mirror does not serve is skipped), or version
# KPY_DEBUG_KERNEL_VERSION. apt fetches it through a private configuration
# (tools/apt-suite.sh): the index is verified against the archive keyring and
# the files against the index; dpkg-source checks them against the .dsc and
# applies Debian's patches.
#
# Cached in ${KPY_CACHE_DIR:-/var/cache/kpython}/debug-kernel/<key>/, where
# key = sha256 of the .dsc's checksum, debug.config, this script and the
# compiler's version: built in a temporary directory next to it and renamed
# into place, so a cache entry is always complete. A cached run takes seconds.
# Cache layout: bzImage, src/ (patched source), build/ (the O= tree, with
# Module.symvers: `make KDIR=<key>/build` builds modules against it;
# build/kpy-test-key/ holds the Secure Boot check's test keys),
# build.log, kernelrelease.
#
# stdout: key=value lines (abi, kdir, vmlinuz, dir); stderr: progress.
# Environment: KPY_DEBUG_KERNEL_JOBS (default 2), KPY_DEBUG_KERNEL_CC
# (default gcc-12, the compiler of Debian's bookworm kernels).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
fragment=$here/debug.config
cache=${KPY_CACHE_DIR:-/var/cache/kpython}/debug-kernel
cc=${KPY_DEBUG_KERNEL_CC:-gcc-12}
jobs=${KPY_DEBUG_KERNEL_JOBS:-2}
suites=${KPY_DEBUG_KERNEL_SUITES:-bookworm-security bookworm}

log() { printf 'debug-kernel: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v "$cc" >/dev/null || die "no $cc (apt-get install gcc-12)"
for tool in flex bison bc dpkg-source make perl; do
	command -v "$tool" >/dev/null ||
		die "no $tool (apt-get install flex bison bc libelf-dev libssl-dev dpkg-dev)"
done
[ -f /usr/include/libelf.h ] || die "no libelf.h (apt-get install libelf-dev)"
[ -f /usr/include/openssl/ssl.h ] || die "no openssl headers (apt-get install libssl-dev)"

mkdir -p "$cache"
# One build at a time per cache: a second caller waits and then finds it.
if [ -z "${KPY_DEBUG_KERNEL_LOCKED:-}" ] && command -v flock >/dev/null; then
	KPY_DEBUG_KERNEL_LOCKED=1 exec flock "$cache/.lock" "$0" "$@"
fi

# mirror_for SUITE: security suites live under their own archive root.
mirror_for() {
	case $1 in
	*-security)
		if [ -n "${KPY_DEBIAN_SECURITY_MIRROR:-}" ]; then
			echo "$KPY_DEBIAN_SECURITY_MIRROR"
		else
			"$top/tools/apt-mirror.sh" --security
		fi
		;;
	*) echo "${KPY_DEBIAN_MIRROR:-$("$top/tools/apt-mirror.sh")}" ;;
	esac
}

# dsc_line SUITE: apt's "'uri' name size SHA256:hex" line for the .dsc of the
# chosen linux 6.1 source in SUITE, taken from the suite's signed index.
dsc_line() {
	m=$(mirror_for "$1") && [ -n "$m" ] || return 1
	d=$(mktemp -d "${TMPDIR:-/var/tmp}/kpy-dbgk-uris.XXXXXX")
	spec=linux
	[ -n "${KPY_DEBUG_KERNEL_VERSION:-}" ] && spec="linux=$KPY_DEBUG_KERNEL_VERSION"
	KPY_DEBIAN_MIRROR=$m "$top/tools/apt-suite.sh" --src "$1" "$d" \
		source --print-uris "$spec" 2>/dev/null | grep "\.dsc' " | grep "linux_6\.1\." || true
	rm -rf "$d"
}

# Candidates, newest version first: "version suite sha256".
candidates=$(for s in $suites; do
	dsc_line "$s" | awk -v s="$s" '{
		v = $2; sub(/^linux_/, "", v); sub(/\.dsc$/, "", v)
		h = $4; sub(/^SHA256:/, "", h)
		print v, s, h }'
done | sort -t' ' -k1,1Vr)
[ -n "$candidates" ] || die "no linux 6.1 source package in: $suites (apt-get update? mirror?)"

key_of() { # key_of DSC-SHA256
	{
		echo "dsc $1"
		sha256sum <"$fragment"
		sha256sum <"$0"
		"$cc" --version | head -n 1
	} | sha256sum | cut -c1-32
}

emit() { # emit DIR
	printf 'abi=%s\nkdir=%s\nvmlinuz=%s\ndir=%s\n' \
		"$(cat "$1/kernelrelease")" "$1/build" "$1/bzImage" "$1"
}

# A cached build of any candidate source wins (the newest first): no download.
echo "$candidates" | while read -r ver suite sum; do
	dir=$cache/$(key_of "$sum")
	if [ -f "$dir/kernelrelease" ]; then
		log "cached: linux $ver ($suite) in $dir"
		emit "$dir"
		exit 10
	fi
done && st=0 || st=$?
[ "$st" = 10 ] && exit 0
[ "$st" = 0 ] || exit "$st"

tmp=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# --- source ------------------------------------------------------------------
ver='' sum=''
while read -r v s h; do
	log "downloading linux $v source from $s"
	rm -rf "$tmp/dl" && mkdir -p "$tmp/dl"
	if KPY_DEBIAN_MIRROR=$(mirror_for "$s") "$top/tools/apt-suite.sh" --src \
		"$s" "$tmp/dl" source --download-only "linux=$v" >&2 2>"$tmp/dl.err"; then
		ver=$v sum=$h
		break
	fi
	log "cannot download linux $v from $s ($(tail -n 1 "$tmp/dl.err")); trying the next"
done <<EOF
$candidates
EOF
[ -n "$ver" ] || die "could not download any linux 6.1 source"
dsc=$tmp/dl/linux_$ver.dsc
[ "$(sha256sum <"$dsc" | cut -d' ' -f1)" = "$sum" ] ||
	die "$dsc does not match the index's SHA256 $sum"
dir=$cache/$(key_of "$sum")
log "unpacking linux_$ver.dsc (dpkg-source checks it and applies Debian's patches)"
dpkg-source --require-strong-checksums -x "$dsc" "$tmp/src" >"$tmp/unpack.log" 2>&1 ||
	{ tail -n 20 "$tmp/unpack.log" >&2; die "dpkg-source -x failed"; }
rm -rf "$tmp/dl"

# --- config ------------------------------------------------------------------
out=$tmp/build
mkdir -p "$out"
export KBUILD_BUILD_TIMESTAMP=1970-01-01 KBUILD_BUILD_USER=kpython KBUILD_BUILD_HOST=kpython
kmake() { nice -n 10 make -C "$tmp/src" O="$out" CC="$cc" HOSTCC="$cc" "$@"; }
buildlog=$tmp/build.log
kmake x86_64_defconfig >"$buildlog" 2>&1
# Test keys of the Secure Boot check (issue 15), generated once per cache
# entry and never committed: trusted-cert.pem is built into the kernel's trusted keys
# (CONFIG_SYSTEM_TRUSTED_KEYS in debug.config), untrusted-* a key the
# kernel does not know. Extensions as the kernel's own default_x509.genkey.
keys=$out/kpy-test-key
mkdir -p "$keys"
cat >"$keys/x509.genkey" <<'GENKEY'
[ req ]
distinguished_name = req_distinguished_name
prompt = no
x509_extensions = myexts
[ req_distinguished_name ]
CN = kpython debug-kernel test key
[ myexts ]
basicConstraints=critical,CA:FALSE
keyUsage=digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
GENKEY
for k in trusted untrusted; do
	openssl req -new -nodes -utf8 -sha256 -days 36500 -batch -x509 \
		-config "$keys/x509.genkey" -newkey rsa:2048 \
		-subj "/CN=kpython debug-kernel $k test key" \
		-keyout "$keys/$k-key.pem" -out "$keys/$k-cert.pem" >>"$buildlog" 2>&1 ||
		die "cannot generate the test key"
done
"$tmp/src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$fragment" \
	>>"$buildlog" 2>&1
kmake olddefconfig >>"$buildlog" 2>&1
# Kconfig silently drops what it cannot satisfy: insist on every line.
missing=$(grep -E '^(CONFIG_|# CONFIG_.* is not set)' "$fragment" | while IFS= read -r want; do
	case $want in
	"# CONFIG_"*)
		sym=${want#\# }
		sym=${sym%% *}
		grep -q "^$sym=" "$out/.config" && echo "$want"
		;;
	*) grep -qxF "$want" "$out/.config" || echo "$want" ;;
	esac
done) || true
[ -z "$missing" ] || die "debug.config lines not in the final .config:
$missing"

# --- build -------------------------------------------------------------------
log "building linux $ver: nice make -j$jobs (log: $buildlog)"
t0=$(date +%s)
if ! kmake -j"$jobs" all >>"$buildlog" 2>&1; then
	tail -n 30 "$buildlog" >&2
	cp "$buildlog" "$cache/last-failed-build.log"
	die "kernel build failed (log: $cache/last-failed-build.log)"
fi
t1=$(date +%s)
log "built in $(((t1 - t0) / 60)) min $(((t1 - t0) % 60)) s"
echo "build seconds: $((t1 - t0)) (-j$jobs)" >>"$buildlog"
kmake -s kernelrelease >"$tmp/kernelrelease"
cp "$out/arch/x86/boot/bzImage" "$tmp/bzImage"
[ -f "$out/Module.symvers" ] || die "no Module.symvers"
# What a module build needs stays; objects and the unstripped link go.
find "$out" -name '*.o' ! -path "$out/scripts/*" ! -path "$out/tools/*" -delete
rm -f "$out/vmlinux.o" "$out/vmlinux.a"
# The O= tree names its source by absolute path: point it at the final place.
printf '# kpython debug kernel: build tree of %s\ninclude %s\n' "$ver" "$dir/src/Makefile" \
	>"$out/Makefile"
ln -sfn "$dir/src" "$out/source"
chmod 755 "$tmp"
trap - EXIT INT TERM
rm -rf "$dir"
mv "$tmp" "$dir"
log "cached linux $ver as $(cat "$dir/kernelrelease") in $dir"
emit "$dir"
