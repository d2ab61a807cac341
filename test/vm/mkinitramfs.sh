#!/bin/sh
# mkinitramfs.sh - build the test VM's initramfs (gzip'd newc cpio).
#
# usage: mkinitramfs.sh -o OUT.cpio.gz -m MODULE.ko -c CLIENT -t CASES_DIR
#                       [-a 'MODULE PARAMS'] [-d DEP.ko]...
#
# Contents: Debian's static busybox with its applet links, /init and the test
# driver (test/vm/target/), the module as /kpy/kpython.ko (plus dependencies,
# loaded in the order given), the client as /bin/kpython and the cases under
# /kpy/cases.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
busybox=${KPY_BUSYBOX:-/bin/busybox}

die() { printf 'mkinitramfs: error: %s\n' "$*" >&2; exit 1; }
usage() {
	sed -n '4,5p' "$0" | sed 's/^# //' >&2
	exit 2
}

out='' module='' client='' cases='' args='' deps=''
while getopts o:m:c:t:a:d:h opt; do
	case $opt in
	o) out=$OPTARG ;;
	m) module=$OPTARG ;;
	c) client=$OPTARG ;;
	t) cases=$OPTARG ;;
	a) args=$OPTARG ;;
	d) deps="$deps $OPTARG" ;;
	*) usage ;;
	esac
done
[ -n "$out" ] && [ -n "$module" ] && [ -n "$client" ] && [ -n "$cases" ] ||
	usage
[ -f "$module" ] || die "no module $module"
[ -f "$client" ] || die "no client $client"
[ -d "$cases" ] || die "no cases directory $cases"
[ -x "$busybox" ] || die "no $busybox (apt-get install busybox-static)"
if ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
	command -v file >/dev/null &&
		die "$busybox is not statically linked (install busybox-static)"
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/kpy-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" \
	"$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/etc" \
	"$root/kpy/cases" "$root/kpy/deps"
cp "$busybox" "$root/bin/busybox"
# The applets, from KPY_BUSYBOX_LIST (a busybox this host can run, for a
# foreign-architecture KPY_BUSYBOX of the same version) or the busybox itself.
"${KPY_BUSYBOX_LIST:-$busybox}" --list-full | while read -r applet; do
	[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
# The kernel opens /dev/console for init before devtmpfs is mounted.
if [ "$(id -u)" = 0 ]; then
	mknod -m 600 "$root/dev/console" c 5 1
	mknod -m 666 "$root/dev/null" c 1 3
fi

install -m 755 "$here/target/init" "$root/init"
install -m 644 "$here/target/driver.sh" "$here/target/lib.sh" \
	"$here/target/watchdog.sh" "$root/kpy/"
# Helpers of the signed-script cases (6NN).
install -m 644 "$here/target/sig-lib.sh" "$root/kpy/"
install -m 755 "$client" "$root/bin/kpython"
install -m 644 "$module" "$root/kpy/kpython.ko"
printf '%s\n' "$args" >"$root/kpy/insmod.args"
: >"$root/kpy/deps.list"
for d in $deps; do
	install -m 644 "$d" "$root/kpy/deps/"
	basename "$d" >>"$root/kpy/deps.list"
done
cp -R "$cases/." "$root/kpy/cases/"
echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"

(cd "$root" && find . | sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
printf 'mkinitramfs: %s (%s bytes, %s cases)\n' "$out" "$(wc -c <"$out")" \
	"$(ls "$cases" | grep -cE '\.(py|sh)$')" >&2
