#!/bin/sh
# objcache-cc.sh CC ARGS... - the kernel's compiler, with a cache of object
# files for trusted builds (issue 14). docker/build-in-container.sh passes it
# to Kbuild as Debian's CCACHE hook (CC = $(CCACHE) gcc-12), and only when
# the worker mounted a cache (archive-header builds; uploads never get one).
#
# An object is reused only when everything the compiler reads is the same:
#   - the toolchain: KPY_OBJCACHE_TOOLCHAIN (image ID, `$CC -v`, sha256 of
#     the driver, cc1 and as, set once per build by the container script);
#   - the arguments, every flag Kbuild derived from the kernel's .config and
#     Makefiles (KBUILD_CFLAGS, -D, -include, -I), and plugin files' bytes;
#   - the preprocessed translation unit (`$CC -E` with those arguments): the
#     source, every header it includes (kernel headers too, with their
#     struct layouts and CONFIG_ values), the macros;
#   - the working directory (the kernel's build directory) and
#     SOURCE_DATE_EPOCH.
# The kernel's header directories are named after the ABI; the container
# script maps them to fixed names in debug info (-fdebug-prefix-map) and the
# kernel maps them out of __FILE__ (-fmacro-prefix-map), so they are replaced
# by placeholders in the key: only in arguments, the working directory and
# line markers (`# N "path"`), the places the compiler rewrites; anywhere else they stay
# and make the key differ. So two ABIs share an object exactly when the
# compiler would have produced the same bytes for both.
#
# Entries: <dir>/<2 hex>/<key>.o and <key>.sha256. An object whose digest
# does not match is ignored (recompiled and replaced), never used. Writes are
# atomic renames. Tallies go to $KPY_OBJCACHE_LOG, one word a line.
set -u
cc=$1
shift
dir=${KPY_OBJCACHE:-}
[ -n "$dir" ] && [ -d "$dir" ] && [ -w "$dir" ] || exec "$cc" "$@"

compile=0 out= src= prev= plugins=
for a do
	case $prev in -o) out=$a ;; esac
	case $a in
	-c) compile=1 ;;
	-E | -S | -M | -MM | -) exec "$cc" "$@" ;;
	-fplugin=*) plugins="$plugins ${a#-fplugin=}" ;;
	-*) ;;
	*.c) [ "$prev" = -o ] || src=$a ;;
	esac
	prev=$a
done
# Only our sources' objects (under /build/src, KPY_OBJCACHE_SRC for the
# unit test): not the compiler probes of Kbuild's cc-option.
root=${KPY_OBJCACHE_SRC:-/build/src}
case $compile:$out:$src in
1:*.o:"$root"/*.c) ;;
*) exec "$cc" "$@" ;;
esac

tally() { [ -n "${KPY_OBJCACHE_LOG:-}" ] && echo "$1" >>"$KPY_OBJCACHE_LOG"; return 0; }
bre() { printf '%s' "$1" | sed 's/[].[*^$\\|]/\\&/g'; }
ksrc=$(bre "${KPY_OBJCACHE_KSRC:-/nonexistent}")
kdir=$(bre "${KPY_OBJCACHE_KDIR:-/nonexistent}")
tmp=$out.kpy-objcache.$$
trap 'rm -f "$tmp".i "$tmp".o' EXIT

# The preprocessed unit: same arguments, -E instead of -c, into $tmp.i. It
# also writes Kbuild's dependency file (-Wp,-MMD), which a hit needs.
prev=
for a do
	shift
	case $prev in -o) set -- "$@" "$tmp.i"; prev=; continue ;; esac
	case $a in -c) set -- "$@" -E ;; *) set -- "$@" "$a" ;; esac
	prev=$a
done
unit=ok
"$cc" "$@" || unit=failed
# Back to the real command line: -c and the real output.
prev=
for a do
	shift
	case $prev in -o) set -- "$@" "$out"; prev=; continue ;; esac
	case $a in -E) set -- "$@" -c ;; *) set -- "$@" "$a" ;; esac
	prev=$a
done
if [ $unit = failed ]; then
	# Let the real compile report the error.
	tally error
	exec "$cc" "$@"
fi
if grep -q 'incbin' "$tmp.i"; then
	# .incbin reads a file at assembly time, behind the key's back.
	tally uncacheable
	rm -f "$tmp.i"
	exec "$cc" "$@"
fi

key=$({
	echo "kpy-objcache 1"
	echo "toolchain ${KPY_OBJCACHE_TOOLCHAIN:?}"
	echo "epoch ${SOURCE_DATE_EPOCH:-}"
	for p in $plugins; do echo "plugin $p $(sha256sum <"$p")"; done
	# The working directory is the kernel's (debug info's comp_dir).
	{ echo "cwd $(pwd)"; printf 'arg %s\n' "$@"; } | sed "s|$ksrc|@KSRC@|g; s|$kdir|@KDIR@|g"
	echo "unit"
	sed "/^# [0-9][0-9]* \"/ { s|$ksrc|@KSRC@|g; s|$kdir|@KDIR@|g; }" "$tmp.i"
} | sha256sum | cut -d' ' -f1)
rm -f "$tmp.i"

entry=$dir/$(printf '%.2s' "$key")/$key
if [ -f "$entry.o" ] && [ -f "$entry.sha256" ]; then
	# The digest of the copy that is used, not of the file it came from.
	if cp "$entry.o" "$tmp.o" && [ "$(sha256sum <"$tmp.o" | cut -d' ' -f1)" = "$(cat "$entry.sha256")" ] &&
		mv -f "$tmp.o" "$out"; then
		touch -c "$entry.sha256" 2>/dev/null
		tally hit
		exit 0
	fi
	tally corrupt
fi
"$cc" "$@" || exit
tally miss
# Staged beside the entry (same file system: the renames are atomic); a
# reader that still sees a half-replaced pair fails the digest and misses.
part=$entry.tmp.$$
mkdir -p "${entry%/*}" 2>/dev/null &&
	cp "$out" "$part.o" && sha256sum <"$part.o" | cut -d' ' -f1 >"$part.sha256" &&
	mv -f "$part.o" "$entry.o" && mv -f "$part.sha256" "$entry.sha256" &&
	tally stored || rm -f "$part.o" "$part.sha256"
exit 0
