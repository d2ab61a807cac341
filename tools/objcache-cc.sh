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
#   <dir>/<2 hex of K>/K-M.sha256  sha256 of .o and of .d, written last
# A manifest whose name is not its digest, or an object or dependency file
# whose digest does not match, is ignored (recompiled and replaced), never
# used. Writes are atomic renames. Tallies go to $KPY_OBJCACHE_LOG.
set -u
cc=$1
shift
dir=${KPY_OBJCACHE:-}
[ -n "$dir" ] && [ -d "$dir" ] && [ -w "$dir" ] || exec "$cc" "$@"

compile=0 out= src= prev= plugins= depfile=
for a do
	case $prev in -o) out=$a ;; esac
	case $a in
	-c) compile=1 ;;
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
bre() { printf '%s' "$1" | sed 's/[].[*^$\\|]/\\&/g'; }
ksrc=$(bre "${KPY_OBJCACHE_KSRC:-/nonexistent}")
kdir=$(bre "${KPY_OBJCACHE_KDIR:-/nonexistent}")
norm="s|$ksrc|@KSRC@|g; s|$kdir|@KDIR@|g"
# The way back: placeholders to this build's directories (sed's replacement side).
rep() { printf '%s' "$1" | sed 's/[\\&|]/\\&/g'; }
denorm="s|@KSRC@|$(rep "${KPY_OBJCACHE_KSRC:-/nonexistent}")|g; s|@KDIR@|$(rep "${KPY_OBJCACHE_KDIR:-/nonexistent}")|g"
# The kernel configuration header with its one ABI-named line, the build
# salt (CONFIG_BUILD_SALT "<release>"), made the same for every release.
saltless() { sed 's/^#define CONFIG_BUILD_SALT ".*"$/#define CONFIG_BUILD_SALT "@RELEASE@"/' | sha256sum | cut -c1-64; }
tmp=$out.kpy-objcache.$$
trap 'rm -f "$tmp".o "$tmp".d "$tmp".m' EXIT

first=$({
	echo "kpy-objcache 2"
	echo "toolchain ${KPY_OBJCACHE_TOOLCHAIN:?}"
	echo "tree ${KPY_OBJCACHE_TREE:?}"
	echo "epoch ${SOURCE_DATE_EPOCH:-}"
	# Variables gcc reads besides its arguments.
	env | grep -E '^(CPATH|C_INCLUDE_PATH|CPLUS_INCLUDE_PATH|OBJC_INCLUDE_PATH|GCC_[A-Z_]*|COMPILER_PATH|DEPENDENCIES_OUTPUT|SUNPRO_DEPENDENCIES)=' | LC_ALL=C sort
	for p in $plugins; do echo "plugin $p $(sha256sum <"$p")"; done
	# The working directory is the kernel's (debug info's comp_dir).
	{ echo "cwd $(pwd)"; printf 'arg %s\n' "$@"; } | sed "$norm"
	echo "source $(sha256sum <"$src")"
} | sha256sum | cut -c1-64)
fan=$dir/$(printf '%.2s' "$first")

# Lookup: the newest manifests of this first key whose files all hash as listed.
for m in $(ls -t "$fan/$first"-*.m 2>/dev/null | head -n 8); do
	base=${m%.m}
	if [ "$(sha256sum <"$m" | cut -c1-64)" != "${base##*-}" ]; then
		# Not what was written (renames are atomic): garbage, the digest file first.
		rm -f "$base.sha256" "$m"
		tally corrupt
		continue
	fi
	# Every file by its bytes, but the kernel configuration as salt-less (below).
	grep -v '^salt-less ' "$m" | sed "$denorm" | sha256sum -c --status 2>/dev/null || continue
	salted=$(sed -n 's/^salt-less //p' "$m")
	if [ -n "$salted" ]; then
		conf=$(printf '%s' "${salted#*  }" | sed "$denorm")
		[ "$(saltless <"$conf")" = "${salted%%  *}" ] || continue
	fi
	# The digests of the copies that are used, not of the files they came from.
	if cp "$base.o" "$tmp.o" && cp "$base.d" "$tmp.d" &&
		[ "$(sha256sum <"$tmp.o" | cut -c1-64) $(sha256sum <"$tmp.d" | cut -c1-64)" = "$(cat "$base.sha256" 2>/dev/null)" ] &&
		sed "$denorm" "$tmp.d" >"$depfile" && mv -f "$tmp.o" "$out"; then
		touch -c "$base.sha256" "$m" 2>/dev/null
		tally hit
		exit 0
	fi
	tally corrupt
done

"$cc" "$@" || exit
tally miss
# The files the compiler read, from its own dependency file: every word
# after the target's colon, continuation backslashes dropped.
deps=$(sed -e 's/\\$//' -e '1s/^[^:]*://' "$depfile")
# .incbin reads a file at assembly time that no dependency file lists.
if grep -l 'incbin' $deps >/dev/null 2>&1; then
	tally uncacheable
	exit 0
fi
# An object that names this build's header directories (a string from a -D,
# an unmapped path in debug info) is this ABI's alone, though its key names
# them by placeholders: never shared.
if grep -qF -e "${KPY_OBJCACHE_KDIR:-/nonexistent}" -e "${KPY_OBJCACHE_KSRC:-/nonexistent}" "$out"; then
	tally uncacheable
	exit 0
fi
sums=$(sha256sum $deps 2>/dev/null) || { tally uncacheable; exit 0; }
# Two releases of a series differ in include/generated/autoconf.h by the
# build salt alone. A unit can depend on it only through the macro's name:
# when no other file it read says SALT and its object does not hold this
# release's name, the configuration is keyed salt-less, so another ABI
# whose configuration differs in nothing else shares the object. Any
# other difference in the configuration still misses.
conf=
for d in $deps; do case $d in */include/generated/autoconf.h) conf=$d ;; esac; done
if [ -n "$conf" ] && [ -n "${KPY_RELEASE:-}" ] &&
	! grep -q SALT $(for d in $deps; do [ "$d" = "$conf" ] || echo "$d"; done) 2>/dev/null &&
	! grep -qF -e "$KPY_RELEASE" "$out"; then
	sums=$(printf '%s\n' "$sums" | grep -vF "  $conf"; echo "salt-less $(saltless <"$conf")  $conf")
fi
printf '%s\n' "$sums" | sed "$norm" >"$tmp.m" || exit 0
manifest=$(sha256sum <"$tmp.m" | cut -c1-64)
entry=$fan/$first-$manifest
# Staged beside the entry (same file system: the renames are atomic); a
# reader that still sees a half-replaced set fails a digest and misses.
part=$entry.tmp.$$
mkdir -p "$fan" 2>/dev/null &&
	cp "$out" "$part.o" && sed "$norm" "$depfile" >"$part.d" &&
	echo "$(sha256sum <"$part.o" | cut -c1-64) $(sha256sum <"$part.d" | cut -c1-64)" >"$part.sha256" &&
	mv -f "$part.o" "$entry.o" && mv -f "$part.d" "$entry.d" && mv -f "$tmp.m" "$entry.m" &&
	mv -f "$part.sha256" "$entry.sha256" &&
	tally stored || rm -f "$part.o" "$part.d" "$part.sha256"
exit 0
