# Signed scripts on an unlocked kernel (issue 15): signed_scripts=auto runs
# unsigned scripts; a script carrying a signature must verify (here: keys no
# kernel trusts, a tampered script, a truncated signature); always refuses
# unsigned ones; never runs them; a refusal is the same through debugfs and
# on close.
. "$KPY_LIB"
. "${KPY_LIB%/*}/sig-lib.sh"

check_eq "default policy" auto "$(cat /sys/module/kpython/parameters/signed_scripts)"
expect_output "unsigned, auto" "signed hello
42" sig/hello.py
expect_refused "untrusted key" "$BAD_SIGNATURE" \
	"signed by a key the kernel does not trust (-126)" sig/untrusted.signed
expect_refused "tampered" "$BAD_SIGNATURE" "refused a signed script" sig/tampered.signed
expect_refused "truncated signature" "$BAD_SIGNATURE" \
	"malformed or truncated signature (-74)" sig/truncated.signed
export KPY_EXEC=$KPY_DEBUGFS_EXEC
expect_refused "untrusted key via debugfs" "$BAD_SIGNATURE" "does not trust" \
	sig/untrusted.signed
KPY_EXEC=/dev/kpython

# Run on close: refused, logged, and nothing of the script in the log.
before=$(refusal_lines) runs=$(sig_stat runs)
cat sig/untrusted.signed >/dev/kpython
sleep 0.2
check_eq "run on close: refusal lines" 1 $(($(refusal_lines) - before))
check_eq "run on close: runs (nothing ran)" "$runs" "$(sig_stat runs)"

set_policy always
check_eq "policy" always "$(cat /sys/module/kpython/parameters/signed_scripts)"
expect_refused "unsigned, always" "$NEEDS_SIGNATURE" "signed_scripts=always" sig/hello.py
expect_refused "unsigned -c, always" "$NEEDS_SIGNATURE" "signed_scripts=always" -c 'print(1)'
expect_refused "empty, always" "$NEEDS_SIGNATURE" "signed_scripts=always" -c ''
if echo bogus >/sys/module/kpython/parameters/signed_scripts 2>/dev/null; then
	fail "signed_scripts=bogus was accepted"
fi
check_eq "policy after a bad value" always "$(cat /sys/module/kpython/parameters/signed_scripts)"
set_policy never
expect_output "unsigned, never" "signed hello
42" sig/hello.py
expect_refused "untrusted key, never" "$BAD_SIGNATURE" "does not trust" sig/untrusted.signed
set_policy auto
check_eq "signed_runs (no trusted key here)" 0 "$(sig_stat signed_runs)"
sessions_clean "after the refusals"
module_works "after the refusals"
finish
