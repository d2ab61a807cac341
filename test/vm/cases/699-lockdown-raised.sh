# Lockdown raised at run time on the stock kernel (issue 15): unsigned
# scripts are refused cleanly through /dev/kpython, under every policy, the
# debugfs exec file is closed by lockdown itself, and the module stays usable
# (stats readable, nothing left behind) and unloads (the driver's rmmod).
# Lockdown cannot be lowered again: this case must stay the last one.
. "$KPY_LIB"
. "${KPY_LIB%/*}/sig-lib.sh"
lockdown=/sys/kernel/security/lockdown

case " $(cat /proc/cmdline) " in
*" kmemleak=on "*)
	# The debug-kernel tier scans kmemleak through debugfs after rmmod,
	# which lockdown would refuse; it checks lockdown in a boot of its own.
	echo "skipped: kmemleak=on needs debugfs writes after this case"
	exit 77 ;;
esac
[ -f "$lockdown" ] || { fail "no $lockdown (securityfs, lockdown LSM)"; finish; }
note "lockdown before: $(cat "$lockdown")"
check_contains "lockdown before" "$lockdown" "[none]"
echo integrity >"$lockdown" || fail "cannot raise lockdown to integrity"
check_contains "lockdown raised" "$lockdown" "[integrity]"

runs=$(sig_stat runs)
expect_refused "unsigned file" "$NEEDS_SIGNATURE" \
	"the kernel is locked down (signed_scripts=auto)" sig/hello.py
expect_refused "unsigned -c" "$NEEDS_SIGNATURE" "locked down" -c 'print(1)'
expect_refused "cut inside the signature (unsigned)" "$NEEDS_SIGNATURE" \
	"locked down" sig/cut.signed
expect_refused "untrusted key" "$BAD_SIGNATURE" "does not trust" sig/untrusted.signed
expect_refused "truncated signature" "$BAD_SIGNATURE" "truncated" sig/truncated.signed
# No setting lets an unsigned script past lockdown.
set_policy never
expect_refused "unsigned, never" "$NEEDS_SIGNATURE" \
	"locked down (signed_scripts=never)" sig/hello.py
set_policy auto

# Run on close: refused and logged, nothing ran.
before=$(refusal_lines)
echo 'print("must not run, 699")' >/dev/kpython
sleep 0.2
check_eq "run on close: refusal lines" 1 $(($(refusal_lines) - before))
dmesg | grep -q 'must not run, 699' && fail "run on close: the script ran"

# Lockdown closes the writable debugfs file; the client says why.
KPY_EXEC=$KPY_DEBUGFS_EXEC kpython -c 'print(1)' >/tmp/699.out 2>/tmp/699.err
check_status "debugfs exec under lockdown" 2 $?
check_contains "debugfs exec under lockdown" /tmp/699.err "locked down"
if { echo 'print(1)' >"$KPY_DEBUGFS_EXEC"; } 2>/dev/null; then
	fail "debugfs exec: a write was accepted under lockdown"
fi

check_eq "runs (nothing ran under lockdown)" "$runs" "$(sig_stat runs)"
sessions_clean "under lockdown"
note "refused $(sig_stat refused) scripts in all; the driver unloads the module next"
finish
