#!/bin/sh
# One idempotent command that makes this machine run the kpython build
# service (`npm run setup`): Debian packages, dockerd (no bridge, no
# iptables), Redis on 127.0.0.1, node modules, the compiled service, the
# verified MicroPython source, and the builder image (no registry needed).
# Safe to re-run; each step skips what is already in place.
set -eu
. "$(dirname "$0")/lib.sh"
root=$(repo_root)
cd "$root"
t0=$(date +%s)

sh scripts/install-packages.sh
sh scripts/start-dockerd.sh
sh scripts/start-redis.sh
# The tests' S3 store (issue 12): Swift with s3api on 127.0.0.1; a worker or
# API host against a real bucket skips it with KPY_SETUP_SWIFT=0.
if [ "${KPY_SETUP_SWIFT:-1}" = 1 ]; then
	sh scripts/install-swift.sh
	sh scripts/start-swift.sh
fi

lock_sha=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.kpython-lock 2>/dev/null || true)" != "$lock_sha" ]; then
	log "npm ci"
	npm ci --no-audit --no-fund --loglevel=error
	echo "$lock_sha" >node_modules/.kpython-lock
else
	log "node modules up to date"
fi
log "compiling TypeScript"
npm run --silent build

[ -x micropython/fetch.sh ] || chmod +x micropython/fetch.sh
sh micropython/fetch.sh

sh scripts/fetch-cosign.sh
for spec in docker/*/image.env; do
	sh scripts/build-builder-image.sh "$(basename "$(dirname "$spec")")"
done
log "ready in $(( $(date +%s) - t0 )) s: \`npm start\` serves http://127.0.0.1:${KPY_PORT:-8080}"
