#!/bin/sh
# Runs inside a locked-down builder container (no network, no capabilities,
# read-only root). The worker put into the /build volume:
#   /build/in/debs/*.deb   the verified header packages
#   /build/src/            the kpython sources (incl. the verified MicroPython tree)
# and mounted a tmpfs at each directory the headers need (KPY_HEADER_MOUNTS,
# e.g. "/usr/src /usr/lib/linux-kbuild-6.1"), so the headers sit at their
# canonical paths. It builds with `make KDIR=...` and leaves the module in
# /build/out. Reproducibility variables come from the container environment.
# Exit codes: 3 headers unusable, 4 no artifact, other non-zero: make failed.
set -eu

say() { printf '[kpython] %s\n' "$*"; }
: "${KPY_RELEASE:?}" "${KPY_HEADER_MOUNTS:?}" "${KPY_ARTIFACT:?}"

say "unpacking headers for $KPY_RELEASE"
mkdir -p /build/tmp
for deb in /build/in/debs/*.deb; do
	# Only members under the prepared mounts are extracted: the rest of the
	# root stays read-only. --keep-directory-symlink keeps merged-/usr links.
	dpkg-deb --fsys-tarfile "$deb" >/build/tmp/data.tar || { say "cannot read $deb"; exit 3; }
	tar -tf /build/tmp/data.tar >/build/tmp/members || exit 3
	: >/build/tmp/wanted
	for m in $KPY_HEADER_MOUNTS; do
		grep -E "^\.$m(/|\$)" /build/tmp/members >>/build/tmp/wanted || true
	done
	tar -x --no-recursion --keep-directory-symlink -C / -T /build/tmp/wanted \
		-f /build/tmp/data.tar || { say "cannot unpack $deb"; exit 3; }
done
rm -f /build/tmp/data.tar

kdir=/usr/src/linux-headers-$KPY_RELEASE
[ -f "$kdir/Makefile" ] || { say "no $kdir/Makefile after unpacking"; exit 3; }
cc_text=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$kdir/.config" 2>/dev/null || true)
say "kernel compiler: ${cc_text:-unknown}"

cd /build/src
say "make KDIR=$kdir -j${KPY_JOBS:-1}"
# The sources carry the verified MicroPython tree; nothing may be downloaded.
make KDIR="$kdir" -j"${KPY_JOBS:-1}"

[ -f "$KPY_ARTIFACT" ] || { say "make succeeded but left no $KPY_ARTIFACT"; exit 4; }
mkdir -p /build/out
cp "$KPY_ARTIFACT" /build/out/kpython.ko
say "built $(wc -c </build/out/kpython.ko) bytes"
