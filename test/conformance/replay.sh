#!/bin/sh
# replay.sh - stand-in for the unix `micropython` binary, for upstream's
# tests/run-tests.py.
#
# run-tests.py runs `micropython [-X opt]... FILE` for every test (and for
# the feature checks) with stdout and stderr merged, and takes a non-zero
# exit status for a crash. The tests run in kpython.ko inside the VM; this
# replays what they printed there, from $KPY_CONF_RESULTS (written by
# results.py while the VM runs: it waits for the test's result to arrive,
# until $KPY_CONF_RESULTS/.complete exists or $KPY_CONF_WAIT seconds
# passed), keyed by FILE's path relative to $KPY_CONF_TESTS.
#
# Exit status: 0 when the script ended normally in the kernel, 1 when it
# raised, was interrupted or did not run; for the last two a note follows
# the output (run-tests.py keeps it in the failure's .out file).
# POSIX sh: this runs once per test, and Python would start far slower.

eval "file=\${$#}"
case $file in /*) ;; *) file=$(pwd -P)/$file ;; esac
test=${file#"$KPY_CONF_TESTS"/}
base=$KPY_CONF_RESULTS/$test

if [ -t 0 ]; then
	# A REPL feature check: run-tests.py drives it through a pty and waits
	# for a banner. kpython has no REPL.
	echo "kpython: no REPL"
	exit 0
fi

waited=0
limit=$((${KPY_CONF_WAIT:-1200} * 10))
while ! [ -e "$base.status" ]; do
	if [ -e "$KPY_CONF_RESULTS/.complete" ] || [ "$waited" -ge "$limit" ]; then
		echo "[kpython conformance: $test did not run in the VM]"
		exit 1
	fi
	sleep 0.1
	waited=$((waited + 1))
done
read -r status <"$base.status"
cat "$base.out" "$base.err"
case $status in
0) exit 0 ;;
1) ;;
124) echo "[kpython: the module's time limit expired]" ;;
137) echo "[kpython: killed by the per-test time limit]" ;;
*) echo "[kpython: client exit status $status]" ;;
esac
exit 1
