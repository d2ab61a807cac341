#!/bin/sh
# Fetch the pinned MicroPython source through apt, verify its checksum and
# unpack it to micropython/$MP_DIR (ignored by git). Idempotent.
#
# apt runs with a private configuration (tools/apt-suite.sh): the mirror is
# KPY_DEBIAN_MIRROR or the host's own; the host's apt state is never touched.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/pin.env"

dest="$here/$MP_DIR"
stamp="$dest/.kpython-verified"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$MP_ORIG_SHA256" ]; then
	exit 0
fi

die() { echo "micropython/fetch.sh: $*" >&2; exit 1; }

cache="$here/.cache"
tarball="$cache/$MP_ORIG_TARBALL"
mkdir -p "$cache"

if [ ! -f "$tarball" ]; then
	dl=$(mktemp -d)
	trap 'rm -rf "$dl"' EXIT
	"$here/../tools/apt-suite.sh" --src "$MP_DEB_SUITE" "$dl" \
		source --download-only "$MP_DEB_SOURCE=$MP_DEB_VERSION" ||
		die "cannot download source package $MP_DEB_SOURCE=$MP_DEB_VERSION"
	[ -f "$dl/$MP_ORIG_TARBALL" ] ||
		die "$MP_ORIG_TARBALL not in the source package"
	mv "$dl/$MP_ORIG_TARBALL" "$tarball.part"
	mv "$tarball.part" "$tarball"
fi

actual=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ "$actual" != "$MP_ORIG_SHA256" ]; then
	rm -f "$tarball"
	die "checksum mismatch for $MP_ORIG_TARBALL:
  expected $MP_ORIG_SHA256
  got      $actual
The download was deleted; refusing to build from unverified source."
fi

rm -rf "$dest" "$dest.tmp"
mkdir -p "$dest.tmp"
tar -xJf "$tarball" -C "$dest.tmp" --strip-components=1
echo "$MP_ORIG_SHA256" >"$dest.tmp/.kpython-verified"
mv "$dest.tmp" "$dest"
echo "micropython: $MP_ORIG_TARBALL verified ($MP_ORIG_SHA256)"
