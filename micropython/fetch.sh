#!/bin/sh
# Fetch the pinned MicroPython source through apt, verify its checksum and
# unpack it to micropython/$MP_DIR (ignored by git). Idempotent.
#
# The mirror comes from KPY_DEBIAN_MIRROR if set, else from the first Debian
# URI in the machine's apt configuration. apt runs with a private state
# directory, so the host's own apt configuration is never modified.
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
	mirror=${KPY_DEBIAN_MIRROR:-$("$here/../tools/apt-mirror.sh")}
	[ -n "$mirror" ] || die "no Debian mirror: set KPY_DEBIAN_MIRROR"
	apt_dir=$(mktemp -d)
	trap 'rm -rf "$apt_dir"' EXIT
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/parts" "$apt_dir/dl"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	cat >"$apt_dir/parts/kpython.sources" <<SRC
Types: deb-src
URIs: $mirror
Suites: $MP_DEB_SUITE
Components: main
Signed-By: $keyring
SRC
	set -- -o Dir::State::Lists="$apt_dir/lists" \
		-o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts="$apt_dir/parts" \
		-o Dir::Cache="$apt_dir/cache" -o APT::Sandbox::User=root
	apt-get -qq "$@" update || die "apt-get update against $mirror failed"
	(cd "$apt_dir/dl" && apt-get -qq "$@" source --download-only \
		"$MP_DEB_SOURCE=$MP_DEB_VERSION") ||
		die "cannot download source package $MP_DEB_SOURCE=$MP_DEB_VERSION"
	[ -f "$apt_dir/dl/$MP_ORIG_TARBALL" ] ||
		die "$MP_ORIG_TARBALL not in the source package"
	mv "$apt_dir/dl/$MP_ORIG_TARBALL" "$tarball.part"
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
