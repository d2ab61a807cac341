#!/bin/sh
# Build a builder image without a container registry: debootstrap a Debian
# root (mirror from the host's apt configuration), install the toolchain
# with apt-get in a chroot, `docker import` it, and record it in
# $KPY_DATA_DIR/images/<name>.json: the local image ID (what containers run,
# different on every machine) and the toolchain identity that goes into
# build keys (same everywhere): the compiler's version line and the sha256
# of the image's sorted installed package list (`Package Version Arch`),
# read from the image's dpkg database.
#
#   scripts/build-builder-image.sh [--record-only] [NAME]   (default bookworm-gcc12)
#
# Idempotent: the root file system tarball is cached under
# $KPY_DATA_DIR/cache/rootfs keyed by the image definition, and an image
# already imported from the same definition is reused.
set -eu
. "$(dirname "$0")/lib.sh"
root=$(repo_root)

record_only=
[ "${1:-}" = --record-only ] && { record_only=1; shift; }
name=${1:-bookworm-gcc12}
spec_file="$root/docker/$name/image.env"
[ -f "$spec_file" ] || die "no image definition $spec_file"
# optional fields (an environment must not set them)
IMAGE_TARGET_ARCH= IMAGE_CROSS_COMPILE= IMAGE_COMPILER_PACKAGE= IMAGE_FOREIGN_ARCH=
. "$spec_file"

data=${KPY_DATA_DIR:-$root/data}
case $data in /*) ;; *) data="$root/$data" ;; esac
# The definition: image.env, and the files/ it installs into /usr/local/bin
# (none for most images: then this is the sha256 of image.env alone).
image_files=$(find "$root/docker/$name/files" -type f 2>/dev/null | LC_ALL=C sort)
spec_files=$image_files
[ -z "$IMAGE_FOREIGN_ARCH" ] || spec_files="$spec_files $root/scripts/unpack-foreign-debs.sh"
# shellcheck disable=SC2086
spec_sha=$(cat "$spec_file" $spec_files | sha256sum | cut -d' ' -f1)
IMAGE_TARGET_ARCH=${IMAGE_TARGET_ARCH:-amd64}
IMAGE_CROSS_COMPILE=${IMAGE_CROSS_COMPILE:-}
# The tag names the definition too: clones of other revisions sharing this
# Docker daemon build their own images instead of retagging ours.
base_tag=$IMAGE_TAG
IMAGE_TAG="$base_tag-$(printf '%s' "$spec_sha" | cut -c1-12)"
cache="$data/cache/rootfs"
tarball="$cache/$name-$spec_sha.tar"
# Records of other targets live in images/<target>/ (lib/builder-images.ts):
# revisions without targets never see them.
records="$data/images"
[ "$IMAGE_TARGET_ARCH" = amd64 ] || records="$data/images/$IMAGE_TARGET_ARCH"
mkdir -p "$cache" "$records"

image_spec() { docker image inspect -f '{{index .Config.Labels "org.kpython.image-spec"}}' "$IMAGE_TAG" 2>/dev/null || true; }

# install_foreign: IMAGE_FOREIGN_PACKAGES of IMAGE_FOREIGN_ARCH unpacked
# (dpkg-deb -x: no maintainer scripts, nothing of the foreign architecture
# needs to run to install them) into IMAGE_FOREIGN_ROOT, their
# `Package Version Arch` lines in /etc/kpython-foreign-packages.
install_foreign() {
	log "unpacking $IMAGE_FOREIGN_ARCH packages into $IMAGE_FOREIGN_ROOT: $IMAGE_FOREIGN_PACKAGES"
	cp "$root/scripts/unpack-foreign-debs.sh" "$rootfs/tmp/unpack-foreign-debs.sh"
	# shellcheck disable=SC2086
	chroot "$rootfs" sh /tmp/unpack-foreign-debs.sh "$IMAGE_FOREIGN_ARCH" "$IMAGE_FOREIGN_ROOT" $IMAGE_FOREIGN_PACKAGES \
		>"$work/foreign.log" 2>&1 || { tail -20 "$work/foreign.log" >&2; die "unpacking the $IMAGE_FOREIGN_ARCH packages failed"; }
	rm -f "$rootfs/tmp/unpack-foreign-debs.sh"
}

build_rootfs() {
	mirror=$(debian_mirror)
	[ -n "$mirror" ] || die "no Debian mirror: set KPY_DEBIAN_MIRROR"
	work=$(mktemp -d /var/tmp/kpython-rootfs.XXXXXX)
	rootfs="$work/root"
	# shellcheck disable=SC2064
	trap "umount '$rootfs/proc' 2>/dev/null || true; rm -rf '$work'" EXIT
	log "debootstrap $IMAGE_SUITE from $mirror"
	debootstrap --variant=minbase "$IMAGE_SUITE" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
		{ tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
	cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
	mount -t proc proc "$rootfs/proc"
	log "installing $IMAGE_PACKAGES"
	# shellcheck disable=SC2086
	chroot "$rootfs" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $IMAGE_PACKAGES && apt-get clean" \
		>"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log" >&2; die "apt-get install in the root failed"; }
	[ -z "${IMAGE_FOREIGN_ARCH:-}" ] || install_foreign
	umount "$rootfs/proc"
	chroot "$rootfs" dpkg-query -W -f='${Package} ${Version} ${Architecture}\n' | LC_ALL=C sort >"$work/packages.txt"
	rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/log/*
	: >"$rootfs/etc/resolv.conf"
	mkdir -p "$rootfs/build" "$rootfs/usr/src"
	[ ! -f "$rootfs/etc/kpython-foreign-packages" ] || cat "$rootfs/etc/kpython-foreign-packages" >>"$work/packages.txt"
	cp "$work/packages.txt" "$rootfs/etc/kpython-image-packages"
	for f in $image_files; do install -m 0755 "$f" "$rootfs/usr/local/bin/$(basename "$f")"; done
	tar --numeric-owner --sort=name -C "$rootfs" -cf "$tarball.part" .
	mv "$tarball.part" "$tarball"
	for old in "$cache/$name"-*.tar; do
		[ "$old" = "$tarball" ] || rm -f "$old"
	done
	log "root file system cached: $tarball ($(du -h "$tarball" | cut -f1))"
}

if [ -z "$record_only" ] && [ "$(image_spec)" != "$spec_sha" ]; then
	[ -f "$tarball" ] || build_rootfs
	log "docker import $IMAGE_TAG"
	docker import \
		--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'ENV LANG=C.UTF-8' \
		--change 'WORKDIR /build' \
		--change "LABEL org.kpython.image-spec=$spec_sha" \
		--change "LABEL org.kpython.compiler=$IMAGE_COMPILER" \
		"$tarball" "$IMAGE_TAG" >/dev/null
fi

id=$(docker image inspect -f '{{.Id}}' "$IMAGE_TAG") || die "image $IMAGE_TAG missing"
in_image() { docker run --rm --network none --read-only "$id" "$@"; }
cc=$(in_image "$IMAGE_COMPILER" --version | head -n 1)
[ -n "$cc" ] || die "$IMAGE_COMPILER --version printed nothing in $IMAGE_TAG"
# The same list on any machine that installed the same package versions.
# Packages unpacked for a foreign architecture count too (install_foreign).
pkgs=$(in_image sh -c "dpkg-query -W -f='\${Package} \${Version} \${Architecture}\n'; cat /etc/kpython-foreign-packages 2>/dev/null || true" | LC_ALL=C sort)
pkgs_sha=$(printf '%s\n' "$pkgs" | sha256sum | cut -d' ' -f1)
npkgs=$(printf '%s\n' "$pkgs" | wc -l)
gcc_pkg=$(printf '%s\n' "$pkgs" | awk -v p="${IMAGE_COMPILER_PACKAGE:-$IMAGE_COMPILER}" -v a="$IMAGE_FOREIGN_ARCH" \
	'$1 == p && (a == "" || $3 == a) { print $2; exit }')
out="$records/$name.json"
printf '{"name":"%s","tag":"%s","id":"%s","spec":"%s","suite":"%s","compiler":"%s","compilerVersion":"%s","compilerPackage":"%s","packagesSha256":"%s","packageCount":%s,"targetArch":"%s","crossCompile":"%s"}\n' \
	"$name" "$IMAGE_TAG" "$id" "$spec_sha" "$IMAGE_SUITE" "$IMAGE_COMPILER" "$cc" "$gcc_pkg" "$pkgs_sha" "$npkgs" "$IMAGE_TARGET_ARCH" "$IMAGE_CROSS_COMPILE" >"$out.part"
mv "$out.part" "$out"
log "image $IMAGE_TAG = $id ($cc, $npkgs packages sha256:$pkgs_sha) recorded in $out"
