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
