#!/bin/sh
# Start redis-server on 127.0.0.1 (port from KPY_REDIS_PORT, default 6379)
# unless one answers there already.
set -eu
. "$(dirname "$0")/lib.sh"

port=${KPY_REDIS_PORT:-6379}
ready() { redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; }

if ready; then
	log "redis already running on 127.0.0.1:$port"
	exit 0
fi
dir=${KPY_REDIS_DIR:-/var/lib/kpython-redis}
mkdir -p "$dir"
log "starting redis-server on 127.0.0.1:$port (dir: $dir)"
redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" \
	--daemonize yes --logfile "$dir/redis.log" \
	--save 60 1000 --appendonly no >/dev/null
retry 40 0.25 ready || die "redis did not answer on 127.0.0.1:$port; see $dir/redis.log"
log "redis ready"
