#!/bin/sh
# A longer fuzzing campaign against the user-space twin (test/fuzz/):
# keeps going past findings (libFuzzer fork mode), then groups them by
# root cause (sanitizer summary + top interpreter frames) and prints
# execs/s, coverage and the distinct findings.
#
#   bench/fuzz-campaign.sh 30m | 2h | 900      (s, m or h; default 10m)
#   KPY_FUZZ_JOBS=2 bench/fuzz-campaign.sh 1h  (parallel fuzzing processes)
#
# Findings and the log: ${KPY_CACHE_DIR:-/var/cache/kpython}/fuzz/campaigns/<time>/.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
fz=$top/test/fuzz
case ${1:-10m} in
*h) seconds=$(( ${1%h} * 3600 )) ;;
*m) seconds=$(( ${1%m} * 60 )) ;;
*s) seconds=${1%s} ;;
*) seconds=$1 ;;
esac
cache=${KPY_CACHE_DIR:-/var/cache/kpython}/fuzz
twin=$("$fz/build.sh") || exit 1
seed=$("$fz/seed.sh") || exit 1
dir=$cache/campaigns/$(date -u +%Y%m%dT%H%M%S)-$$
work=$cache/corpus
mkdir -p "$dir/artifacts" "$work"
echo "campaign: ${seconds} s, ${KPY_FUZZ_JOBS:-1} job(s), twin $twin, results $dir"
nice -n 10 "$twin/twin-fuzz" -fork="${KPY_FUZZ_JOBS:-1}" -ignore_crashes=1 \
	-ignore_timeouts=1 -ignore_ooms=1 -max_total_time="$seconds" \
	-timeout=20 -rss_limit_mb=2560 -malloc_limit_mb=2560 -max_len=4096 \
	-dict="$fz/python.dict" -artifact_prefix="$dir/artifacts/" \
	"$work" "$seed" >"$dir/fuzz.log" 2>&1

# Fork mode prints "#N: cov: C ft: F corp: P exec/s R oom/timeout/crash: a/b/c time: Ts ...".
last=$(grep -E '^#[0-9]+: cov:' "$dir/fuzz.log" | tail -1)
execs=$(echo "$last" | sed -n 's/^#\([0-9]*\):.*/\1/p')
cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
took=$(echo "$last" | sed -n 's/.* time: \([0-9]*\)s.*/\1/p')
rate=$(( ${execs:-0} / (${took:-0} > 0 ? ${took:-0} : 1) ))

# One line per root cause: the summary and the top three frames, replayed
# with the fuzzer's own time limit (fuzz_main.c's default).
export KPY_TWIN_TIMEOUT_MS=${KPY_TWIN_TIMEOUT_MS:-300}
for a in "$dir"/artifacts/*; do
	[ -f "$a" ] || continue
	sig=$(KPY_TWIN_WALL_S=30 "$fz/triage.sh" "$twin/twin-run" "$a" 3 |
		sed 's/#[0-9]* //; s/:[0-9]*:[0-9]*//; s/ on address 0x[0-9a-f]*//; s/ (pc [^)]*)//' |
		tr '\n' '|')
	printf '%s\t%s\n' "$sig" "$a"
done | sort >"$dir/findings.tsv"
n=$(find "$dir/artifacts" -type f | wc -l)
distinct=$(cut -f1 "$dir/findings.tsv" | grep -v '^twin: ' | sort -u | wc -l)
echo "fuzzed ${took:-?} s: ${execs:-?} inputs, ${rate:-?} execs/s, coverage ${cov:-?} edges"
echo "findings: $n artifacts, $distinct distinct (summary + top frames), in $dir/findings.tsv:"
cut -f1 "$dir/findings.tsv" | grep -v '^twin: ' | sort | uniq -c | sort -rn
