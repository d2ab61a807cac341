# Shared helpers for the host setup scripts (sourced, not executed).
log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# repo_root: absolute path of the repository.
repo_root() { cd "$(dirname "$0")/.." && pwd; }

# debian_mirror: KPY_DEBIAN_MIRROR, else the first archive URI of the host's
# apt configuration (tools/apt-mirror.sh). Never hard-coded.
debian_mirror() {
	if [ -n "${KPY_DEBIAN_MIRROR:-}" ]; then
		printf '%s\n' "$KPY_DEBIAN_MIRROR"
	else
		"$(repo_root)/tools/apt-mirror.sh"
	fi
}

# retry N SECONDS CMD...: run CMD until it succeeds, at most N times,
# SECONDS apart; fails when it never did.
retry() {
	_n=$1 _s=$2
	shift 2
	until "$@"; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || return 1
		sleep "$_s"
	done
}
