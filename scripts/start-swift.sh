#!/bin/sh
# Start a one-node, one-replica OpenStack Swift with its S3 API (s3api) on
# 127.0.0.1 for the store tests, unless one answers there already: proxy on
# KPY_SWIFT_PORT (default 8790), account/container/object servers on the
# three ports after it. Everything (configs, rings, objects, logs, pids)
# lives in KPY_SWIFT_DIR (default /var/lib/kpython-swift; its filesystem
# needs user xattrs). S3 credentials: access key test:tester, secret
# testing (tempauth; loopback only, for tests), region us-east-1,
# path-style. Stop it with scripts/stop-swift.sh.
set -eu
. "$(dirname "$0")/lib.sh"

port=${KPY_SWIFT_PORT:-8790}
dir=${KPY_SWIFT_DIR:-/var/lib/kpython-swift}
here=$(repo_root)/scripts/swift
py=/usr/bin/python3 # a pyenv python3 on PATH lacks the swift module

healthy() { curl -fsS -m 2 "http://127.0.0.1:$port/healthcheck" >/dev/null 2>&1; }
if healthy; then
	log "swift already answering on 127.0.0.1:$port"
	exit 0
fi
"$py" -c 'import swift' 2>/dev/null || die "python3-swift is not installed (npm run setup installs it)"

mkdir -p "$dir/devices/d0" "$dir/run"
aport=$((port + 1)) cport=$((port + 2)) oport=$((port + 3))
common() {
	echo "[DEFAULT]"
	echo "bind_ip = 127.0.0.1"
	echo "bind_port = $1"
	echo "workers = 0"
	echo "swift_dir = $dir"
	echo "devices = $dir/devices"
	echo "mount_check = false"
	echo "log_name = swift-$2"
	echo "log_facility = LOG_LOCAL1"
	echo "log_udp_host = "
}
{
	echo "[swift-hash]"
	echo "swift_hash_path_suffix = kpython-test"
	echo "[storage-policy:0]"
	echo "name = gold"
	echo "default = yes"
	echo "[swift-constraints]"
	# s3api carries object metadata; Swift's 256 B default answers 500
	echo "max_meta_value_length = 4096"
} >"$dir/swift.conf"
for kind in account container object; do
	case $kind in account) p=$aport ;; container) p=$cport ;; object) p=$oport ;; esac
	{
		common "$p" "$kind"
		echo "[pipeline:main]"
		echo "pipeline = $kind-server"
		echo "[app:$kind-server]"
		echo "use = egg:swift#$kind"
	} >"$dir/$kind-server.conf"
done
{
	common "$port" proxy
	echo "[pipeline:main]"
	echo "pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server"
	echo "[app:proxy-server]"
	echo "use = egg:swift#proxy"
	echo "account_autocreate = true"
	for f in catch_errors gatekeeper healthcheck proxy-logging listing_formats copy slo dlo; do
		echo "[filter:$f]"
		echo "use = egg:swift#$(echo "$f" | tr - _)"
	done
	# without a memcached the cache filter keeps tokens in the proxy's memory
	echo "[filter:cache]"
	echo "use = egg:swift#memcache"
	echo "[filter:s3api]"
	echo "use = egg:swift#s3api"
	echo "location = us-east-1"
	echo "[filter:tempauth]"
	echo "use = egg:swift#tempauth"
	echo "user_test_tester = testing .admin"
} >"$dir/proxy-server.conf"
if [ ! -f "$dir/object.ring.gz" ]; then
	"$py" "$here/make-rings.py" "$dir" "$dir/devices" "$aport" "$cport" "$oport"
fi
for kind in account container object proxy; do
	nohup "$py" "$here/swift-daemon.py" "$dir" "$kind" >>"$dir/run/$kind.log" 2>&1 &
	echo $! >"$dir/run/$kind.pid"
done
retry 60 0.25 healthy || die "swift did not answer on 127.0.0.1:$port; see $dir/run/*.log"
log "swift (s3api) ready on http://127.0.0.1:$port (dir: $dir)"
