#!/bin/sh
# Start redis-server on 127.0.0.1 (port from KPY_REDIS_PORT, default 6379)
# with a password, unless one answers there already. The password is made
# once and kept in the service's data directory (KPY_DATA_DIR, default
# ./data) as redis.password, mode 0600, where the service finds it; the
# server's configuration (with the password) sits in its own directory,
# mode 0600, so the password never appears on a command line.
set -eu
. "$(dirname "$0")/lib.sh"

port=${KPY_REDIS_PORT:-6379}
data=${KPY_DATA_DIR:-$(repo_root)/data}
pwfile=$data/redis.password
dir=${KPY_REDIS_DIR:-/var/lib/kpython-redis}

# answer [PASSWORD]: what PING gets (PONG, NOAUTH..., or nothing)
answer() { REDISCLI_AUTH=${1:-} redis-cli --no-auth-warning -h 127.0.0.1 -p "$port" ping 2>/dev/null || true; }

anonymous=$(answer)
case $anonymous in
PONG)
	# An older setup's Redis, without a password. Restarting it would cut off
	# whatever uses it now (builds, other services): keep it, say so, and leave
	# no password for the service to send (it would be refused).
	if [ -f "$pwfile" ]; then
		log "warning: redis on 127.0.0.1:$port has no password although $pwfile exists; the service sends it and Redis ignores it"
	fi
	log "warning: redis on 127.0.0.1:$port runs without a password (started by an older setup)."
	log "  To secure it: stop it (redis-cli -p $port shutdown) when nothing builds, then run \`npm run setup\` again."
	exit 0
	;;
NOAUTH*)
	if [ -f "$pwfile" ] && [ "$(answer "$(cat "$pwfile")")" = PONG ]; then
		log "redis already running on 127.0.0.1:$port (with the password in $pwfile)"
		exit 0
	fi
	die "redis on 127.0.0.1:$port wants a password that $pwfile does not hold; set KPY_REDIS_URL=redis://:PASSWORD@127.0.0.1:$port, or use another KPY_REDIS_PORT"
	;;
esac

mkdir -p "$data" "$dir"
if [ ! -s "$pwfile" ]; then
	(umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$pwfile.part" && mv "$pwfile.part" "$pwfile")
	log "made a Redis password: $pwfile (mode 0600)"
fi
chmod 600 "$pwfile"
conf=$dir/redis.conf
(
	umask 077
	{
		echo "bind 127.0.0.1"
		echo "protected-mode yes"
		echo "port $port"
		echo "dir $dir"
		echo "daemonize yes"
		echo "pidfile $dir/redis.pid"
		echo "logfile $dir/redis.log"
		echo "save 60 1000"
		echo "appendonly no"
		echo "requirepass $(cat "$pwfile")"
	} >"$conf"
)
log "starting redis-server on 127.0.0.1:$port (dir: $dir, password required)"
redis-server "$conf" >/dev/null
ready() { [ "$(answer "$(cat "$pwfile")")" = PONG ]; }
retry 40 0.25 ready || die "redis did not answer on 127.0.0.1:$port; see $dir/redis.log"
log "redis ready"
