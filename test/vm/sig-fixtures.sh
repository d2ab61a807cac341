#!/bin/sh
# sig-fixtures.sh - signed-script fixtures for the Secure Boot cases (6NN,
# issue 15), written into a copied cases directory before it is packed.
#
# usage: sig-fixtures.sh CASES-DIR KEY-CACHE-DIR
#
# Writes CASES-DIR/sig/:
#   hello.py            the script every fixture signs
#   untrusted.signed    hello.py signed by scripts/sign-file with a key no
#                       kernel trusts (generated once into KEY-CACHE-DIR)
#   trusted.signed      signed by sign-file with the trusted test key, and
#   trusted-cli.signed  by `kpython sign-script` (only with KPY_SIG_KEYS)
#   tampered.signed     another script in front of a valid signature
#   truncated.signed    16 bytes cut out of the PKCS#7 message, the
#                       struct module_signature and the marker kept
#   cut.signed          the signed file cut short inside the PKCS#7 (no
#                       marker left: it is an unsigned script)
# tampered/truncated/cut derive from trusted.signed when there is one, else
# from untrusted.signed.
#
# Environment:
#   KPY_SIG_FILE  the kernel's sign-file (default: the newest
#                 /usr/lib/linux-kbuild-*/scripts/sign-file)
#   KPY_SIG_KEYS  a directory with trusted-{key,cert}.pem and
#                 untrusted-{key,cert}.pem (the debug kernel's kpy-test-key/)
#   KPY_SIG_CLI   how to run the CLI, e.g. "node dist/cli/main.js" (with
#                 KPY_SIG_KEYS: signs trusted-cli.signed)
set -eu

[ $# = 2 ] || { echo "usage: $0 CASES-DIR KEY-CACHE-DIR" >&2; exit 2; }
sig=$1/sig
keycache=$2
die() { echo "sig-fixtures: $*" >&2; exit 1; }

sign_file=${KPY_SIG_FILE:-$(ls -d /usr/lib/linux-kbuild-*/scripts/sign-file 2>/dev/null |
	sort -V | tail -n 1)}
[ -x "$sign_file" ] || die "no sign-file (install linux-headers, or set KPY_SIG_FILE)"

mkdir -p "$sig"
printf 'print("signed hello")\nprint(6 * 7)\n' >"$sig/hello.py"

if [ -n "${KPY_SIG_KEYS:-}" ]; then
	keys=$KPY_SIG_KEYS
else
	keys=$keycache
	if ! [ -f "$keys/untrusted-cert.pem" ]; then
		mkdir -p "$keys"
		openssl req -new -x509 -nodes -newkey rsa:2048 -sha256 -days 36500 \
			-subj "/CN=kpython untrusted test key" -addext keyUsage=digitalSignature \
			-keyout "$keys/untrusted-key.pem" -out "$keys/untrusted-cert.pem" \
			>/dev/null 2>&1 || die "cannot generate a test key"
	fi
fi

"$sign_file" sha256 "$keys/untrusted-key.pem" "$keys/untrusted-cert.pem" \
	"$sig/hello.py" "$sig/untrusted.signed" || die "sign-file failed"
base=$sig/untrusted.signed
if [ -n "${KPY_SIG_KEYS:-}" ]; then
	"$sign_file" sha256 "$keys/trusted-key.pem" "$keys/trusted-cert.pem" \
		"$sig/hello.py" "$sig/trusted.signed" || die "sign-file failed"
	[ -n "${KPY_SIG_CLI:-}" ] || die "KPY_SIG_KEYS needs KPY_SIG_CLI"
	# shellcheck disable=SC2086 # a command line
	$KPY_SIG_CLI sign-script --key "$keys/trusted-key.pem" \
		--cert "$keys/trusted-cert.pem" -o "$sig/trusted-cli.signed" \
		"$sig/hello.py" 2>/dev/null || die "kpython sign-script failed"
	base=$sig/trusted.signed
fi

# The layout: script | PKCS#7 | 12-byte struct (sig_len big-endian in its
# last 4 bytes) | 28-byte marker.
size=$(wc -c <"$base")
script=$(wc -c <"$sig/hello.py")
sig_len=$(tail -c 32 "$base" | head -c 4 | od -An -tu1 |
	awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }')
[ $((script + sig_len + 40)) = "$size" ] || die "unexpected layout of $base"
{
	printf 'print("tampered")\n'
	tail -c +$((script + 1)) "$base"
} >"$sig/tampered.signed"
{
	head -c $((script + sig_len - 16)) "$base"
	tail -c 40 "$base"
} >"$sig/truncated.signed"
head -c $((script + sig_len / 2)) "$base" >"$sig/cut.signed"
[ -z "${KPY_SIG_KEYS:-}" ] || : >"$sig/have-trusted"
