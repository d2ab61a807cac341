#!/bin/bash
# Deadline latency: how long past the module's time limit a script stops.
#
# Boots test/vm's rig once and runs every time-limit case of the hostile
# corpus (test/vm/cases/*-hostile-*.py whose .status is 124) N times, plus
# the baseline `while True: pass`, each through a small static program that
# times the read in which the script runs (kpy-deadline.c). Prints, per case,
# the overshoot past timeout_ms (min / median / max over the N runs) and the
# ratio of its worst overshoot to the baseline's median; then the worst case.
#
# usage: bench/deadline.sh [N]     (default N=3; timeout_ms=2000 as in the rig)
# Environment: KPY_DEADLINE_TIMEOUT_MS (default 2000), KPY_DEADLINE_CASES
# (a glob on case names, default *-hostile-*), KPY_DEADLINE_SKIP (globs of
# cases to leave out, e.g. ones known not to stop), KPY_VM_* as for run.sh.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
limit=${KPY_DEADLINE_TIMEOUT_MS:-2000}
glob=${KPY_DEADLINE_CASES:-*-hostile-*}
cache=$top/.cache/bench/deadline
mkdir -p "$cache"

cases=$(mktemp -d)
trap 'rm -rf "$cases"' EXIT
mkdir "$cases/scripts"
gcc -O2 -static -Wall -o "$cases/kpy-deadline" "$top/bench/deadline/kpy-deadline.c"

printf 'while True:\n    pass\n' >"$cases/scripts/000-baseline-busy-loop.py"
n=0
for st in "$top"/test/vm/cases/$glob.status; do
	[ "$(cat "$st")" = 124 ] || continue
	py=${st%.status}.py
	[ -f "$py" ] || continue
	name=${py##*/}
	skip=
	for pat in ${KPY_DEADLINE_SKIP:-}; do
		# shellcheck disable=SC2053 # the pattern is a glob on purpose
		[[ ${name%.py} == $pat ]] && skip=1
	done
	[ -z "$skip" ] || continue
	cp "$py" "$cases/scripts/"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "deadline: no time-limit case matches $glob" >&2; exit 1; }

# The one case the rig runs: every script N times, results on the console.
cat >"$cases/10-deadline.sh" <<'CASE'
. "$KPY_LIB"
i=0
while [ "$i" -lt "$KPY_DEADLINE_RUNS" ]; do
	for f in scripts/*.py; do
		r=$(./kpy-deadline "$f")
		echo "DEADLINE ${f#scripts/} $r" >/dev/console
		module_works "${f#scripts/}" >/dev/console
	done
	i=$((i + 1))
done
finish
CASE
sed -i "1i KPY_DEADLINE_RUNS=$runs" "$cases/10-deadline.sh"
chmod +x "$cases/kpy-deadline"
budget=$(((n + 1) * runs * (limit / 1000 + 3) + 60))
echo "$budget" >"$cases/10-deadline.timeout"

echo "== $((n + 1)) scripts x $runs runs, timeout_ms=$limit (VM limit $((budget + 120)) s)"
out=$(KPY_VM_CASES=$cases KPY_VM_MODULE_ARGS="timeout_ms=$limit" \
	KPY_VM_TIMEOUT=$((budget + 120)) KPY_VM_OUT=$cache/run \
	"$top/test/vm/run.sh" 2>/dev/null) || {
	echo "$out" >&2
	echo "deadline: the VM run failed" >&2
	exit 1
}
grep -- '--- timings' <<<"$out" | sed 's/^--- //'
grep -ao 'DEADLINE .*' "$cache/run/console.log" | tr -d '\r' | awk -v limit="$limit" '
	function median(a, k,   i, j, t, b) {
		for (i = 1; i <= k; i++) b[i] = a[i]
		for (i = 1; i <= k; i++)
			for (j = i + 1; j <= k; j++)
				if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
		return k % 2 ? b[(k + 1) / 2] : (b[k / 2] + b[k / 2 + 1]) / 2
	}
	{
		name = $2; sub(/\.py$/, "", name)
		if (!(name in cnt)) order[++n] = name
		k = ++cnt[name]
		over[name, k] = $3 - limit
		if ($4 != "ETIME") bad[name] = bad[name] " " $4
	}
	END {
		base = "000-baseline-busy-loop"
		for (k = 1; k <= cnt[base]; k++) a[k] = over[base, k]
		bmed = median(a, cnt[base])
		printf "%-44s %9s %9s %9s %8s\n", "case (overshoot past " limit " ms)", "min ms", "median", "max ms", "max/base"
		for (i = 1; i <= n; i++) {
			name = order[i]
			delete a
			mn = 1e18; mx = -1e18
			for (k = 1; k <= cnt[name]; k++) {
				a[k] = over[name, k]
				if (a[k] < mn) mn = a[k]
				if (a[k] > mx) mx = a[k]
			}
			ratio = bmed > 0.05 ? sprintf("%.1f", mx / bmed) : "n/a"
			printf "%-44s %9.1f %9.1f %9.1f %8s%s\n", name, mn, median(a, cnt[name]), mx,
				ratio, name in bad ? "  NOT ETIME:" bad[name] : ""
			if (name != base && mx > worst) { worst = mx; wname = name }
		}
		printf "worst: %s, %.1f ms past the limit (baseline median %.1f ms)\n", wname, worst, bmed
	}'
