#!/bin/sh
# Start dockerd in the background (no bridge, no iptables: build containers
# run with network "none") unless a daemon already answers. Waits for it.
set -eu
. "$(dirname "$0")/lib.sh"

sock=${KPY_DOCKER_SOCKET:-/var/run/docker.sock}
ready() { curl -fsS --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; }

if ready; then
	log "dockerd already running"
	exit 0
fi
command -v dockerd >/dev/null || die "dockerd not installed"
logf=${KPY_DOCKERD_LOG:-/var/log/kpython-dockerd.log}
log "starting dockerd (log: $logf)"
# setsid: the daemon outlives this script and its terminal.
setsid dockerd --bridge=none --iptables=false --ip-forward=false \
	--host="unix://$sock" >"$logf" 2>&1 </dev/null &
retry 60 0.5 ready || die "dockerd did not answer on $sock within 30 s; see $logf"
log "dockerd ready"
