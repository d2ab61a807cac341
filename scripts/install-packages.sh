#!/bin/sh
# Install the Debian packages the service needs on the host, only those
# missing (idempotent; no apt-get update when nothing is missing).
set -eu
. "$(dirname "$0")/lib.sh"

want="docker.io containerd runc redis-server debootstrap gpgv
debian-archive-keyring openssl xz-utils zstd ca-certificates curl"
missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	log "host packages present"
	exit 0
fi
log "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
