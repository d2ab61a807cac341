# Signed scripts run under lockdown (issue 15): signed by the kernel's
# scripts/sign-file and by `kpython sign-script` with the trusted test key,
# through write-then-read and run-on-close.
. "$KPY_LIB"
. "${KPY_LIB%/*}/sig-lib.sh"

signed=$(sig_stat signed_runs) runs=$(sig_stat runs)
expect_output "signed by sign-file" "signed hello
42" sig/trusted.signed
expect_output "signed by kpython sign-script" "signed hello
42" sig/trusted-cli.signed
check_eq "signed_runs" $((signed + 2)) "$(sig_stat signed_runs)"
check_eq "runs" $((runs + 2)) "$(sig_stat runs)"

set_policy always
expect_output "signed, always" "signed hello
42" sig/trusted.signed
set_policy auto

before=$(klog_lines)
cat sig/trusted.signed >/dev/kpython
sleep 0.5
dmesg | tail -n +$((before + 1)) >/tmp/611.log
check_contains "run on close: output in the log" /tmp/611.log "signed hello"
check_eq "runs after run on close" $((runs + 4)) "$(sig_stat runs)"
sessions_clean "after signed runs"
finish
