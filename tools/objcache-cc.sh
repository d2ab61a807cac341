#!/bin/sh
# objcache-cc.sh CC ARGS... - the kernel's compiler, with a cache of object
# files for trusted builds (issue 14). docker/build-in-container.sh passes it
# to Kbuild as Debian's CCACHE hook (CC = $(CCACHE) gcc-12), and only when
# the worker mounted a cache (archive-header builds; uploads never get one).
#
# Direct mode, with the compiler's own dependency list: an object is reused
# only when everything the compiler reads is the same:
#   - the toolchain: KPY_OBJCACHE_TOOLCHAIN (image ID, `$CC -v`, sha256 of
#     the driver, cc1 and as, set once per build by the container script;
#     the image ID also stands for the compiler's own system headers, which
#     -MMD leaves out of the dependency list);
#   - the names of every file in the kernel's header trees and our sources
#     (KPY_OBJCACHE_TREE, once per build): a header that appears, and could
#     shadow another on the include path or answer a __has_include, makes
#     every key differ;
#   - the arguments, every flag Kbuild derived from the kernel's .config and
#     Makefiles (KBUILD_CFLAGS, -D, -include, -I), plugin files' bytes, the
#     compiler's environment variables, SOURCE_DATE_EPOCH, the working
#     directory (the kernel's build directory) and the source's bytes: they
#     make the first key;
#   - every header the compile read, by path and bytes: the dependency file
#     Kbuild asks for (-Wp,-MMD,<file>) lists them; a miss stores that list
#     with each file's sha256 (the manifest) beside the object, and a lookup
#     reuses the object only if every listed file hashes the same now.
# The kernel's header directories are named after the ABI; the container
# script maps them to fixed names in debug info (-fdebug-prefix-map) and the
# kernel maps them out of __FILE__ (-fmacro-prefix-map), so they are replaced
# by placeholders in the arguments, the working directory and the manifest's
# paths; anywhere else (a -D string, a header's bytes) they stay and make the
# key differ. So two ABIs share an object exactly when the compiler reads the
# same bytes from the same (ABI-mapped) names for both.
#
# Entries, for a first key K and a manifest digest M:
#   <dir>/<2 hex of K>/K-M.m       the manifest ("sha256  path" lines)
#   <dir>/<2 hex of K>/K-M.o       the object
#   <dir>/<2 hex of K>/K-M.d       the dependency file, ABI paths normalized
#   <dir>/<2 hex of K>/K-M.sha256  sha256 of .o and .d together, written last
# A manifest whose name is not its digest, or an object or dependency file
# whose digest does not match, is ignored (recompiled and replaced), never
# used. Writes are atomic renames. Tallies go to $KPY_OBJCACHE_LOG.
# A miss is stored after make by tools/objcache-store.py, which says which
# objects are never shared and how the configuration is keyed.
set -u
cc=$1
shift
dir=${KPY_OBJCACHE:-}
[ -n "$dir" ] && [ -d "$dir" ] && [ -w "$dir" ] || exec "$cc" "$@"

compile=0 out= src= prev= plugins= depfile= sysdirs=
for a do
	case $prev in -o) out=$a ;; esac
	case $a in
	-c) compile=1 ;;
	-isystem* | -idirafter* | -iwithprefix* | -isysroot* | --sysroot* | -imultilib*) sysdirs=1 ;;
	-E | -S | -M | -MM | -MD | -MF | -) exec "$cc" "$@" ;;
	-Wp,-MMD,* | -Wp,-MD,*) depfile=${a#-Wp,-M*D,} ;;
	-fplugin=*) plugins="$plugins ${a#-fplugin=}" ;;
	-*) ;;
	*.c) [ "$prev" = -o ] || src=$a ;;
	esac
	prev=$a
done
# Only our sources' objects (under /build/src, KPY_OBJCACHE_SRC for the
# unit test), compiled with Kbuild's dependency file: not the compiler
# probes of Kbuild's cc-option.
root=${KPY_OBJCACHE_SRC:-/build/src}
case $compile:$out:$src in
1:*.o:"$root"/*.c) ;;
*) exec "$cc" "$@" ;;
esac
[ -n "$depfile" ] || exec "$cc" "$@"

tally() { [ -n "${KPY_OBJCACHE_LOG:-}" ] && echo "$1" >>"$KPY_OBJCACHE_LOG"; return 0; }
# The manifest is Kbuild's dependency list (-MMD), which leaves out every
# header found in a system include directory and all such a header
# includes: with one on the command line, what the compile read is not all
# known, so it is never cached. (The generated MicroPython tree was one
# until 2026-12-03; kernels compile with -nostdinc, and the compiler's own
# headers come with the image, which is in the key.)
if [ -n "$sysdirs" ]; then
	tally uncacheable
	exec "$cc" "$@"
fi
# Which entry each object came from or went to: tools/objcache-group.py
# makes the build's group of objects from their manifests.
record() { [ -n "${KPY_OBJCACHE_ENTRIES:-}" ] && echo "$out $1" >>"$KPY_OBJCACHE_ENTRIES"; return 0; }
# sed scripts between this build's header directories and placeholders; the
# container script sets them once per build (KPY_OBJCACHE_NORM/_DENORM).
norm=${KPY_OBJCACHE_NORM:-}
denorm=${KPY_OBJCACHE_DENORM:-}
if [ -z "$norm" ] || [ -z "$denorm" ]; then
	bre() { printf '%s' "$1" | sed 's/[].[*^$\\|]/\\&/g'; }
	rep() { printf '%s' "$1" | sed 's/[\\&|]/\\&/g'; }
	norm="s|$(bre "${KPY_OBJCACHE_KSRC:-/nonexistent}")|@KSRC@|g; s|$(bre "${KPY_OBJCACHE_KDIR:-/nonexistent}")|@KDIR@|g"
	denorm="s|@KSRC@|$(rep "${KPY_OBJCACHE_KSRC:-/nonexistent}")|g; s|@KDIR@|$(rep "${KPY_OBJCACHE_KDIR:-/nonexistent}")|g"
fi
# The kernel configuration header without what names the release: its
# leading comment and the build salt (tools/objcache-conf.sed).
saltless() { sed -f "${0%/*}/objcache-conf.sed" | sha256sum; }
tmp=$out.kpy-objcache.$$
trap 'rm -f "$tmp".o "$tmp".d "$tmp".m' EXIT
# The kernel's header trees do not change during a build: the container
# script hashes their headers once (KPY_OBJCACHE_SUMS, "sha256  path"
# lines) and lists those that say incbin or SALT (KPY_OBJCACHE_MARKS), so
# an object's lookup (and tools/objcache-store.py) reads only the files
# outside them.
tab=${KPY_OBJCACHE_SUMS:-}
[ -n "$tab" ] && [ -f "$tab" ] && [ -f "${KPY_OBJCACHE_MARKS:-}" ] || tab=
# (Few processes on the way to a hit: it runs once per object per build.)
first=$({
	echo "kpy-objcache 4"
	echo "toolchain ${KPY_OBJCACHE_TOOLCHAIN:?}"
	echo "tree ${KPY_OBJCACHE_TREE:?}"
	echo "epoch ${SOURCE_DATE_EPOCH:-}"
	# Variables gcc reads besides its arguments.
	env | grep -E '^(CPATH|C_INCLUDE_PATH|CPLUS_INCLUDE_PATH|OBJC_INCLUDE_PATH|GCC_[A-Z_]*|COMPILER_PATH|DEPENDENCIES_OUTPUT|SUNPRO_DEPENDENCIES)='
	for p in $plugins; do echo "plugin $p $(sha256sum <"$p")"; done
	# The working directory is the kernel's (debug info's comp_dir).
	{ echo "cwd $PWD"; printf 'arg %s\n' "$@"; } | sed "$norm"
	echo "source"
	cat "$src"
} | sha256sum)
first=${first%% *}
fan=$dir/${first%"${first#??}"}

# Lookup: the manifests of this first key (at most 8) whose files all hash as listed.
n=0
for m in "$fan/$first"-*.m; do
	[ -f "$m" ] || continue
	n=$((n + 1))
	[ $n -le 8 ] || break
	base=${m%.m}
	if [ "$(sha256sum <"$m")" != "${base##*-}  -" ]; then
		# Not what was written (renames are atomic): garbage, the digest file first.
		rm -f "$base.sha256" "$m"
		tally corrupt
		continue
	fi
	# Every file by its bytes; the kernel configuration, when the first
	# line says so, salt-less (below).
	IFS= read -r line <"$m" || continue
	case $line in
	"salt-less "*)
		conf=$(printf '%s' "${line#*-  }" | sed "$denorm")
		case $conf in /*) ;; *) conf=$PWD/$conf ;; esac
		if [ "$conf" = "${KPY_OBJCACHE_CONF:-}" ] && [ -n "${KPY_OBJCACHE_SALTLESS:-}" ]; then
			have=$KPY_OBJCACHE_SALTLESS
		else
			have=$(saltless <"$conf")
		fi
		[ "salt-less $have  ${line#*-  }" = "$line" ] || continue
		skip=1d
		;;
	*) skip= ;;
	esac
	if [ -n "$tab" ]; then
		# The table's files by the table, the rest read now.
		sed "$skip${skip:+; }$denorm" "$m" | awk -v cwd="$PWD" -v sums="$tab" -f "${0%/*}/objcache-check.awk" >"$tmp.m" || continue
		[ ! -s "$tmp.m" ] || sha256sum -c --status "$tmp.m" 2>/dev/null || continue
	else
		sed "$skip${skip:+; }$denorm" "$m" | sha256sum -c --status 2>/dev/null || continue
	fi
	# The digests of the copies that are used, not of the files they came from.
	IFS= read -r want <"$base.sha256" || want=
	if cp "$base.o" "$tmp.o" && cp "$base.d" "$tmp.d" && [ "$(cat "$tmp.o" "$tmp.d" | sha256sum)" = "$want" ] &&
		sed "$denorm" "$tmp.d" >"$depfile" && mv -f "$tmp.o" "$out"; then
		touch -c "$base.sha256" "$m" 2>/dev/null
		tally hit
		record "$base"
		exit 0
	fi
	tally corrupt
done

"$cc" "$@" || exit
tally miss
# The store is made after make, for every miss at once
# (tools/objcache-store.py): here the compiler's object and dependency file
# are copied before objtool changes the one and fixdep consumes the other.
# The first key names the object (its arguments name its output).
stage=${KPY_OBJCACHE_STAGE:-}
[ -n "$stage" ] && [ -d "$stage" ] || exit 0
cp "$out" "$stage/$first.o" && cp "$depfile" "$stage/$first.d" &&
	printf '%s %s %s\n' "$first" "$PWD" "$out" >>"$stage/list" || rm -f "$stage/$first.o" "$stage/$first.d"
exit 0
