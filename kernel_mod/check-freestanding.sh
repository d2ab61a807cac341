#!/bin/sh
# check-freestanding.sh KDIR KMOD_DIR: after a build, check that the objects
# built against the freestanding libc (include/: the interpreter, kpy_mp_*,
# kmod_*; Kbuild) read no kernel header beyond the ones Kbuild forces on
# every unit, and the two uapi files of errno numbers (include/errno.h).
# That is what lets the object cache share them across kernel releases
# (issue 14): a header that slips in (a patch's #include <linux/...>, a shim
# that reaches for the kernel) makes every release compile them again.
#
# Each object's compile command (its .cmd file) runs again, preprocessing
# only, with a complete list of what it read (-MD: Kbuild's -MMD leaves out
# whatever a system header includes, and the MicroPython tree is -isystem).
# What every unit reads is what the same command reads for an empty file.
# The VM rigs run this after each build (test/vm/module.sh), in the same
# environment. Exit 1 naming each object and header.
set -eu
kdir=$1
kmod=$(cd "$2" && pwd)
top=$(cd "$kmod/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/empty.c"

# The objects of this build (Kbuild lists them in kpython.mod) whose command
# has the freestanding libc and not the kernel-backed one.
objs=$(tr ' ' '\n' <"$kmod/kpython.mod")
[ -n "$objs" ] || { echo "check-freestanding: no objects listed in $kmod/kpython.mod" >&2; exit 1; }

# compile_cmd OBJ [SOURCE]: the object's compile command, writing the complete
# dependency list to $tmp/deps and no object; SOURCE replaces its source.
compile_cmd() {
	deps=$(printf '%s' "$tmp/deps" | sed 's/[\/&|]/\\&/g')
	src=
	[ -z "${2:-}" ] || src="; s| [^ ]+\\.c *\$| $2|"
	# 6.1 names it cmd_<object>, 6.12 savedcmd_<object>.
	sed -n 's/^\(saved\)\{0,1\}cmd_[^ ]* := //p' "$(dirname "$1")/.$(basename "$1").cmd" | head -n 1 |
		sed -E "s/;.*//; s/-Wp,-MMD,[^ ]+/-Wp,-MD,$deps/; s/ -c -o [^ ]+/ -E -o \\/dev\\/null/$src"
}
# kernel_files: the files of $tmp/deps outside our tree, one per line.
kernel_files() {
	sed 's/\\$//; s/^[^:]*://' "$tmp/deps" | tr ' ' '\n' | sed '/^$/d' | grep -v -e "^$top/" -e "^$tmp/" | LC_ALL=C sort -u || true
}

n=0 status=0
for o in $objs; do
	cmdf=$(dirname "$o")/.$(basename "$o").cmd
	[ -f "$cmdf" ] || continue
	grep -q -- "-I$kmod/include " "$cmdf" || continue
	! grep -q -- "-I$kmod/include-kernel " "$cmdf" || continue
	if [ ! -f "$tmp/forced" ]; then
		c=$(compile_cmd "$o" "$tmp/empty.c")
		[ -n "$c" ] || { echo "check-freestanding: no compile command in the .cmd file of $o" >&2; exit 1; }
		(cd "$kdir" && eval "$c") && [ -s "$tmp/deps" ] || { echo "check-freestanding: cannot run the compile command of $o" >&2; exit 1; }
		kernel_files >"$tmp/forced"
		[ -s "$tmp/forced" ] || { echo "check-freestanding: an empty unit reads no kernel header: the command is not Kbuild's" >&2; exit 1; }
	fi
	c=$(compile_cmd "$o")
	rm -f "$tmp/deps"
	(cd "$kdir" && eval "$c") && [ -s "$tmp/deps" ] || { echo "check-freestanding: cannot run the compile command of $o" >&2; exit 1; }
	n=$((n + 1))
	extra=$(kernel_files | grep -vxF -f "$tmp/forced" | grep -vE '/include/uapi/asm-generic/errno(-base)?\.h$' || true)
	if [ -n "$extra" ]; then
		echo "check-freestanding: ${o#"$kmod"/} reads kernel headers: $(echo "$extra" | tr '\n' ' ')" >&2
		status=1
	fi
done
[ "$n" -gt 0 ] || { echo "check-freestanding: no object of $kmod is built with the freestanding libc" >&2; exit 1; }
[ "$status" = 0 ] && echo "check-freestanding: $n objects read only the $(wc -l <"$tmp/forced") headers every unit reads (and the errno numbers)"
exit "$status"
