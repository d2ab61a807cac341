#!/bin/sh
# apt-mirror.sh [--security]
# Print the Debian archive URI this machine's apt is configured with (deb822
# .sources first, then one-line sources.list), for tools that fetch Debian
# packages without hard-coding a mirror. Security mirrors are skipped; with
# --security, only they are printed (the archive root of bookworm-security).
set -eu
if [ "${1:-}" = --security ]; then
	pick() { grep -- '-security' | head -n 1; }
else
	pick() { grep -v -- '-security' | head -n 1; }
fi
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' "$f"
done | pick | grep . && exit 0
cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
	awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; break } }' |
	pick
