#!/bin/sh
# The main job on a fresh machine, in one command (`npm run quickstart`):
# set the host up, start the service on its embedded defaults (API and one
# worker, Redis on 127.0.0.1, artifacts and keys under ./data), and build,
# download and verify a signed kpython.ko for a Debian kernel through it.
#
# usage: sh scripts/quickstart.sh [RELEASE]
#   RELEASE defaults to the newest bookworm 6.1.0-N-amd64 the service knows.
# The module lands in out/<release>/kpython.ko with .sig and .provenance.json.
set -eu
. "$(dirname "$0")/lib.sh"
root=$(repo_root)
cd "$root"

sh scripts/setup.sh

port=${KPY_PORT:-8080}
url=http://127.0.0.1:$port
export KPY_URL=$url
cli() { node dist/cli/main.js "$@"; }

ready() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$url/readyz"; }

started=
if ! ready; then
	mkdir -p data
	log "starting the service on $url (log: data/service.log)"
	node dist/server/main.js >>data/service.log 2>&1 &
	started=$!
	trap 'kill "$started" 2>/dev/null; wait "$started" 2>/dev/null' EXIT INT TERM
	i=0
	until ready; do
		i=$((i + 1))
		[ "$i" -le 60 ] || die "the service did not become ready (data/service.log)"
		kill -0 "$started" 2>/dev/null || die "the service exited (data/service.log)"
		sleep 1
	done
fi

release=${1:-$(cli kernels --json | node -e '
	const ks = JSON.parse(require("fs").readFileSync(0, "utf8")).kernels
		.map((k) => k.release)
		.filter((r) => /^6\.1\.0-\d+-amd64$/.test(r))
		.sort((a, b) => Number(a.split("-")[1]) - Number(b.split("-")[1]));
	if (!ks.length) process.exit(1);
	console.log(ks[ks.length - 1]);')}
log "building kpython.ko for $release through the service"
mkdir -p "out/$release"
module=$(cli fetch --kernel "$release" -o "out/$release/kpython.ko")
log "done: signed and verified module at $module"
log "load it on a $release machine: insmod kpython.ko; then client/kpython -c 'print(1)'"
