#!/bin/bash
# survey.sh [CASE-PATTERN...] - run cases and keep going after the VM dies.
#
# With oops=panic one crash ends the boot, so a plain run.sh reports every
# later case as "not run". This runs run.sh on the selected cases, records
# each result, and boots again with the cases that did not run, until all
# have a result. The case during which the VM died is reported with the
# first suspicious kernel lines of the console (oops, soft lockup, panic).
#
# stdout: one line per case, "<name> <PASS|FAIL|DIED> <detail>", then a count.
# Environment: as run.sh (KPY_VM_MODULE skips the module build on later
# boots automatically); KPY_SURVEY_OUT keeps the per-boot reports there.
set -u -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${KPY_VM_OUT:-$top/.cache/vm/run}
keep=${KPY_SURVEY_OUT:-$out/survey}
cases_dir=${KPY_VM_CASES:-$here/cases}
mkdir -p "$keep"

names=()
for f in "$cases_dir"/*.py "$cases_dir"/*.sh; do
	[ -e "$f" ] || continue
	n=${f##*/}
	n=${n%.*}
	if [ $# -gt 0 ]; then
		hit=
		for pat in "$@"; do
			# shellcheck disable=SC2053 # the pattern is a glob on purpose
			[[ $n == $pat ]] && hit=1
		done
		[ -n "$hit" ] || continue
	fi
	names+=("$n")
done
mapfile -t names < <(printf '%s\n' "${names[@]}" | LC_ALL=C sort -u)
[ ${#names[@]} -gt 0 ] || { echo "survey: no case matches" >&2; exit 2; }

boot=0 passed=0 failed=0 died=0
remaining=("${names[@]}")
while [ ${#remaining[@]} -gt 0 ]; do
	boot=$((boot + 1))
	echo "survey: boot $boot, ${#remaining[@]} case(s)" >&2
	"$here/run.sh" "${remaining[@]}" >"$keep/boot-$boot.txt" 2>"$keep/boot-$boot.err"
	cp "$out/console.log" "$keep/console-$boot.log" 2>/dev/null
	# From now on reuse the module just built.
	[ -n "${KPY_VM_MODULE:-}" ] || export KPY_VM_MODULE=$top/kernel_mod/kpython.ko
	next=()
	for n in "${remaining[@]}"; do
		line=$(grep -E "^(PASS|FAIL|SKIP) $n( |:|$)" "$keep/boot-$boot.txt" | head -n 1)
		case $line in
		"FAIL $n: not run"*)
			next+=("$n")
			;;
		"FAIL $n: no result"*)
			# The first suspicious kernel lines after the case began.
			why=$(sed -n "/@@KPY BEGIN $n\$/,\$p" "$keep/console-$boot.log" |
				grep -E 'BUG|Oops|soft lockup|general protection|stack guard|Kernel panic|RIP:|stalls' |
				sed 's/^\[ *[0-9.]*\] //' | head -n 3 | tr '\n' ';' | tr -s ' ')
			echo "$n DIED ${why:-the VM stopped}"
			died=$((died + 1))
			;;
		PASS*)
			note=${line#*): }
			[ "$note" != "$line" ] || note=
			echo "$n PASS $note"
			passed=$((passed + 1))
			;;
		"")
			echo "$n FAIL no line in the report (rig error?): $(tail -n 2 "$keep/boot-$boot.txt" | tr '\n' ' ')"
			failed=$((failed + 1))
			;;
		*)
			echo "$n FAIL ${line#*: }"
			failed=$((failed + 1))
			;;
		esac
	done
	# A boot that ran nothing (rig error) would loop forever.
	if [ ${#next[@]} -eq ${#remaining[@]} ]; then
		for n in "${next[@]}"; do echo "$n FAIL never ran (see $keep/boot-$boot.txt)"; done
		failed=$((failed + ${#next[@]}))
		break
	fi
	remaining=("${next[@]}")
done
echo "survey: $passed passed, $failed failed, $died died, in $boot boot(s)"
