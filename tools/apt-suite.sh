#!/bin/sh
# apt-suite.sh [--src] SUITE DIR APT-GET-ARGS...
# Run `apt-get APT-GET-ARGS` in DIR against one suite of the Debian archive
# (binary packages, or source packages with --src) through a private,
# temporary apt configuration: the mirror is KPY_DEBIAN_MIRROR or the host's
# own (tools/apt-mirror.sh), indexes are verified against the Debian archive
# keyring, and the host's apt state is never touched. For fetching what the
# host's suites lack (MicroPython's source, trixie packages).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
type=deb
if [ "${1:-}" = --src ]; then
	type=deb-src
	shift
fi
[ $# -ge 3 ] || { echo "usage: apt-suite.sh [--src] SUITE DIR APT-GET-ARGS..." >&2; exit 2; }
suite=$1 dir=$2
shift 2
mirror=${KPY_DEBIAN_MIRROR:-$("$here/apt-mirror.sh")}
[ -n "$mirror" ] || { echo "apt-suite.sh: no Debian mirror: set KPY_DEBIAN_MIRROR" >&2; exit 1; }
state=$(mktemp -d "${TMPDIR:-/var/tmp}/kpython-apt.XXXXXX")
trap 'rm -rf "$state"' EXIT
mkdir -p "$state/lists/partial" "$state/parts" "$state/cache/archives/partial"
cat >"$state/parts/kpython.sources" <<SRC
Types: $type
URIs: $mirror
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
opts="-o Dir::State::Lists=$state/lists -o Dir::Etc::SourceList=/dev/null
-o Dir::Etc::SourceParts=$state/parts -o Dir::Cache=$state/cache
-o APT::Sandbox::User=root"
# shellcheck disable=SC2086 # opts is a list of words without blanks
apt-get -qq $opts update
cd "$dir"
# shellcheck disable=SC2086
apt-get -qq $opts "$@"
