#!/bin/sh
# Install OpenStack Swift (Debian's python3-swift, with its s3api
# middleware) for the tests' loopback S3 store, if missing. No daemons are
# enabled by the package; scripts/start-swift.sh runs them.
set -eu
. "$(dirname "$0")/lib.sh"
if dpkg-query -W -f='${Status}' python3-swift 2>/dev/null | grep -q 'ok installed'; then
	log "python3-swift present"
	exit 0
fi
log "installing python3-swift (the tests' S3 store)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3-swift >/dev/null
