#!/bin/sh
# The fuzz tier: build the twin (cached), replay every regression case,
# then fuzz for a bounded time. One check per case plus one for the fuzz
# run; the last line is "N passed, N failed".
#
#   test/fuzz/run.sh                   120 s of fuzzing
#   KPY_FUZZ_SECONDS=600 test/fuzz/run.sh
#
# A regression case passes when it ends with output, an exception or the
# time limit: no sanitizer report, no crash, no run past the deadline.
# Findings of the fuzz run are kept in ${KPY_CACHE_DIR}/fuzz/findings/.
set -u
here=$(cd "$(dirname "$0")" && pwd)
cache=${KPY_CACHE_DIR:-/var/cache/kpython}/fuzz
seconds=${KPY_FUZZ_SECONDS:-120}
passed=0 failed=0

check() { # name, status
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1)); echo "ok   $1"
	else
		failed=$((failed + 1)); echo "FAIL $1"
	fi
}

twin=$("$here/build.sh") || { echo "0 passed, 1 failed"; exit 1; }
seed=$("$here/seed.sh") || { echo "0 passed, 1 failed"; exit 1; }

for case in "$here"/regressions/*.py; do
	[ -f "$case" ] || continue
	out=$("$here/triage.sh" "$twin/twin-run" "$case" 6)
	st=$?
	check "regression $(basename "$case" .py)" $st
	[ $st -eq 0 ] || echo "$out" | sed 's/^/     /'
done

# The working corpus grows across runs on this machine; seeds are reset
# when the pin or the generator change (seed.sh).
work=$cache/corpus
run=$cache/findings/$(date -u +%Y%m%dT%H%M%S)-$$
mkdir -p "$work" "$run"
log=$run/fuzz.log
nice -n 10 "$twin/twin-fuzz" -max_total_time="$seconds" -timeout=20 \
	-rss_limit_mb=2560 -malloc_limit_mb=2560 -max_len=4096 \
	-dict="$here/python.dict" -print_final_stats=1 \
	-artifact_prefix="$run/" "$work" "$seed" >"$log" 2>&1
st=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
echo "     fuzz: ${execs:-?} inputs in ${seconds} s, ${rate:-?} execs/s, coverage ${cov:-?} edges, log $log"
if [ $st -ne 0 ]; then
	for a in "$run"/crash-* "$run"/timeout-* "$run"/oom-* "$run"/leak-*; do
		[ -f "$a" ] || continue
		echo "     finding $a:"
		KPY_TWIN_TIMEOUT_MS=${KPY_TWIN_TIMEOUT_MS:-300} \
			"$here/triage.sh" "$twin/twin-run" "$a" 6 | sed 's/^/       /'
	done
fi
check "fuzz ${seconds} s" $st
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
