# The Secure Boot check's kernel (issue 15): booted with lockdown=integrity
# module.sig_enforce=1, it loaded kpython.ko only because the module is
# signed by the test key built into its trusted keys.
. "$KPY_LIB"
. "${KPY_LIB%/*}/sig-lib.sh"

check_contains "lockdown" /sys/kernel/security/lockdown "[integrity]"
check_eq "module.sig_enforce" Y "$(cat /sys/module/module/parameters/sig_enforce)"
taint=$(cat /sys/module/kpython/taint)
case $taint in
*E*) fail "kpython is tainted E (unsigned module): '$taint'" ;;
esac
note "kpython taint: '${taint}'; lockdown: $(cat /sys/kernel/security/lockdown)"
[ -f sig/have-trusted ] || fail "no fixtures signed with the trusted test key"
check_eq "policy" auto "$(cat /sys/module/kpython/parameters/signed_scripts)"

# Lockdown closes the debugfs exec file; /dev/kpython is the way in.
KPY_EXEC=$KPY_DEBUGFS_EXEC kpython -c 'print(1)' >/tmp/610.out 2>/tmp/610.err
check_status "debugfs exec" 2 $?
check_contains "debugfs exec" /tmp/610.err "locked down"
[ -c /dev/kpython ] || fail "no /dev/kpython"
finish
