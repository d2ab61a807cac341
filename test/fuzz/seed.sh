#!/bin/sh
# Fill a seed corpus for the twin: upstream's own tests from the pinned
# MicroPython tree (never committed here) and hostile inputs from
# gen-hostile.py. Prints the seed directory; reused while the pin and the
# generator are unchanged.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/micropython/pin.env"
cache=${KPY_CACHE_DIR:-/var/cache/kpython}/fuzz
"$top/micropython/fetch.sh" >&2
key=$(cat "$top/micropython/pin.env" "$here/gen-hostile.py" "$here/seed.sh" | sha256sum | cut -c1-16)
dir=$cache/seed-$key
if [ ! -d "$dir" ]; then
	tmp=$(mktemp -d "$cache/.seed-XXXXXX")
	tests=$top/micropython/$MP_DIR/tests
	for d in basics extmod micropython unicode misc stress; do
		for f in "$tests/$d"/*.py; do
			cp "$f" "$tmp/up-$d-$(basename "$f")"
		done
	done
	python3 "$here/gen-hostile.py" "$tmp"
	mv "$tmp" "$dir"
fi
echo "$dir"
