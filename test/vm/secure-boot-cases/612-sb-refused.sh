# Under lockdown (issue 15), each of these is refused with its errno and one
# kernel log line, and nothing runs: unsigned (a file, -c, a signed file cut
# short), signed by a key the kernel does not trust, a tampered script, a
# truncated signature. The module stays usable; the driver unloads it.
. "$KPY_LIB"
. "${KPY_LIB%/*}/sig-lib.sh"

expect_refused "unsigned file" "$NEEDS_SIGNATURE" \
	"the kernel is locked down (signed_scripts=auto)" sig/hello.py
expect_refused "unsigned -c" "$NEEDS_SIGNATURE" "locked down" -c 'print(1)'
expect_refused "cut inside the signature (unsigned)" "$NEEDS_SIGNATURE" \
	"locked down" sig/cut.signed
expect_refused "untrusted key" "$BAD_SIGNATURE" \
	"signed by a key the kernel does not trust (-126)" sig/untrusted.signed
expect_refused "tampered" "$BAD_SIGNATURE" "refused a signed script" sig/tampered.signed
note "tampered: $(grep 'kpython: refused' /tmp/sig.log)"
expect_refused "truncated signature" "$BAD_SIGNATURE" \
	"malformed or truncated signature (-74)" sig/truncated.signed
set_policy never
expect_refused "unsigned, never" "$NEEDS_SIGNATURE" "signed_scripts=never" sig/hello.py
set_policy auto

# Still usable after the refusals.
expect_output "signed, after the refusals" "signed hello
42" sig/trusted.signed
sessions_clean "after the refusals"
finish
