#!/bin/sh
# Run by build-builder-image.sh inside the image's root (chroot, network on):
#   unpack-foreign-debs.sh ARCH ROOT PACKAGE...
# Downloads PACKAGE:ARCH from the root's apt sources and unpacks them with
# dpkg-deb -x into ROOT: nothing of the foreign architecture runs, and the
# image's dpkg database stays single-architecture. Their `Package Version
# Arch` lines go to /etc/kpython-foreign-packages (part of the toolchain
# identity).
set -eu
arch=$1 dest=$2
shift 2
dpkg --add-architecture "$arch"
apt-get update -qq
dir=$(mktemp -d)
for p in "$@"; do set -- "$@" "$p:$arch"; shift; done
(cd "$dir" && apt-get download -qq "$@")
mkdir -p "$dest"
for deb in "$dir"/*.deb; do
	dpkg-deb -x "$deb" "$dest"
	printf '%s %s %s\n' "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)" "$(dpkg-deb -f "$deb" Architecture)"
done | LC_ALL=C sort >/etc/kpython-foreign-packages
rm -rf "$dir"
dpkg --remove-architecture "$arch"
