#!/bin/sh
# cross-image.sh SUITE COMPILER: print the tag of a Docker image that can
# cross-build kpython for arm64 kernels of SUITE whose host system the
# machine's own does not match (trixie's arm64 kernels need trixie's
# gcc-14-aarch64-linux-gnu, and trixie's amd64 kbuild binaries need trixie's
# libc): the service's builder image of that suite (`npm run setup` made it:
# data/images/<suite>-gcc<N>.json) plus Debian's <compiler>-aarch64-linux-gnu.
#
# The .debs are downloaded once against the image's own dpkg status
# (tools/apt-suite.sh) into ${KPY_CACHE_DIR:-/var/cache/kpython}/arm64-cross/<key>/,
# installed in a container without network and committed as
# kpython-test-root:arm64-cross-<suite>-<key>; key = the builder image's id
# and the package name. Later runs reuse the image.
set -eu
suite=$1 compiler=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
log() { printf 'cross-image: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

rec=$top/data/images/$suite-$(printf %s "$compiler" | tr -d -).json
[ -f "$rec" ] || die "no $rec: run npm run setup (it makes the builder images)"
base=$(sed -n 's/.*"tag":"\([^"]*\)".*/\1/p' "$rec")
base_id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$rec")
[ -n "$base" ] && [ -n "$base_id" ] || die "cannot read tag and id from $rec"
pkg=$compiler-aarch64-linux-gnu
key=$(printf '%s\n%s\n' "$base_id" "$pkg" | sha256sum | cut -c1-16)
tag=kpython-test-root:arm64-cross-$suite-$key
if docker image inspect "$tag" >/dev/null 2>&1; then
	echo "$tag"
	exit 0
fi

cache=${KPY_CACHE_DIR:-/var/cache/kpython}/arm64-cross/$key
if [ ! -f "$cache/.complete" ]; then
	log "downloading $pkg ($suite) for $base"
	rm -rf "$cache" && mkdir -p "$cache/archives/partial"
	docker run --rm --network none --label org.kpython.app=kpython-test \
		"$base" cat /var/lib/dpkg/status >"$cache/status" ||
		die "cannot read the dpkg status of $base"
	"$top/tools/apt-suite.sh" "$suite" "$cache" install --download-only -y \
		--no-install-recommends -o "Dir::State::status=$cache/status" \
		-o "Dir::Cache::archives=$cache/archives" -o Debug::NoLocking=1 "$pkg" >&2 ||
		die "apt-get --download-only $pkg failed"
	touch "$cache/.complete"
fi
name=kpy-cross-$suite-$$
log "installing $(ls "$cache"/archives/*.deb | wc -l) packages into $tag"
trap 'docker rm -f "$name" >/dev/null 2>&1' EXIT
docker run --name "$name" --network none --label org.kpython.app=kpython-test \
	-v "$cache/archives:/debs:ro" "$base" sh -c 'dpkg -i /debs/*.deb' >&2 ||
	die "dpkg -i in $base failed"
docker commit "$name" "$tag" >/dev/null || die "docker commit $tag failed"
echo "$tag"
