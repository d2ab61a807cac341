#!/bin/sh
# Put a `cosign` binary into $KPY_DATA_DIR/cache/tools/ (the tests check the
# detached signature with `cosign verify-blob --key`). Debian bookworm and
# bookworm-backports have no cosign package; trixie has one (a static Go
# program needing only libc6 >= 2.34, so it runs on bookworm). It is fetched
# with apt-get from the host's own mirror through a temporary apt
# configuration for trixie, verified by apt against the Debian archive
# keyring, and unpacked (not installed). Idempotent.
set -eu
. "$(dirname "$0")/lib.sh"
root=$(repo_root)
data=${KPY_DATA_DIR:-$root/data}
case $data in /*) ;; *) data="$root/$data" ;; esac
dest="$data/cache/tools"
if command -v cosign >/dev/null 2>&1; then
	log "cosign on PATH: $(command -v cosign)"
	exit 0
fi
if [ -x "$dest/cosign" ]; then
	log "cosign present: $dest/cosign"
	exit 0
fi
work=$(mktemp -d /var/tmp/kpython-cosign.XXXXXX)
# shellcheck disable=SC2064
trap "rm -rf '$work'" EXIT
log "fetching cosign from trixie"
"$root/tools/apt-suite.sh" trixie "$work" download cosign >/dev/null
dpkg-deb -x "$work"/cosign_*.deb "$work/x"
mkdir -p "$dest"
cp "$work/x/usr/bin/cosign" "$dest/cosign.part"
mv "$dest/cosign.part" "$dest/cosign"
log "cosign $("$dest/cosign" version 2>/dev/null | awk '/GitVersion/ { print $2 }') unpacked to $dest/cosign"
