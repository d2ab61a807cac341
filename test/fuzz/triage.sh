#!/bin/sh
# Show how one input ends in the twin: the sanitizer's summary line and
# the top interpreter frames, or how the script ended.
#
#   test/fuzz/triage.sh <twin-run> FILE [frames]
set -u
twin=$1 file=$2 frames=${3:-6}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
KPY_TWIN_QUIET=1 timeout -k 5 "${KPY_TWIN_WALL_S:-30}" "$twin" "$file" >"$log" 2>&1
rc=$?
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "hang: still running after ${KPY_TWIN_WALL_S:-30} s (deadline never honoured)"
	exit 1
fi
summary=$(grep -m1 -E '^SUMMARY:|deadline overrun|outside every handler' "$log")
if [ -z "$summary" ] && [ $rc -eq 0 ]; then
	grep -m1 '^twin: ' "$log"
	exit 0
fi
echo "${summary:-exit status $rc}" | sed 's|/[^ ]*/micropython_embed/||g; s| (BuildId: [0-9a-f]*)||; s|([^ ]*/twin-run+0x[0-9a-f]*)||'
# Top frames of the interpreter: not the sanitizer's, libc's or the watchdog's.
grep -E '^    #[0-9]+ ' "$log" | sed 's/0x[0-9a-f]* in //; s| (BuildId: [0-9a-f]*)||; s|/[^ ]*/micropython_embed/||; s|/[^ ]*/test/fuzz/|test/fuzz/|' |
	grep -v -E '^ *#[0-9]+ 0x|^ *#[0-9]+ \?\? | (__asan|__interceptor|__sanitizer|strlen|memcpy|memmove|memset|memcmp|__strlen|__mem|MemcmpInterceptor|twin_watchdog_fired)|libc\.so' |
	awk '!seen[$2]++' | head -n "$frames" | sed 's/^ *//'
exit 1
