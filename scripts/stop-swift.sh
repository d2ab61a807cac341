#!/bin/sh
# Stop the daemons scripts/start-swift.sh started (by their pid files).
set -eu
. "$(dirname "$0")/lib.sh"
dir=${KPY_SWIFT_DIR:-/var/lib/kpython-swift}
for f in "$dir"/run/*.pid; do
	[ -f "$f" ] || continue
	kill "$(cat "$f")" 2>/dev/null || true
	rm -f "$f"
done
log "swift stopped"
