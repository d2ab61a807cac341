#!/bin/sh
# objcache-group.sh restore|store - the module's objects as one cache entry
# (issue 14), beside the per-object cache of tools/objcache-cc.sh.
#
# Reusing objects one by one still runs Kbuild's whole per-object rule for
# each: the wrapper's lookup, objtool, fixdep. When a kernel's headers give
# every object the bytes another kernel's did (another ABI of the same
# upstream release), the build can skip all of that: `store` keeps, after a
# build, every object the wrapper could cache as Kbuild left it (objtool
# run) with its .cmd file, and `restore` puts them back before the next
# build's make, which then finds them up to date and compiles only the rest.
#
# What makes a group valid for a build:
#   - its first key: the toolchain and header-tree names of the per-object
#     key (KPY_OBJCACHE_TOOLCHAIN, _TREE), SOURCE_DATE_EPOCH, the compiler's
#     environment variables, and the bytes of every program and compiler
#     plugin under the kernel's scripts/ and tools/ (objtool, fixdep,
#     genksyms: what runs on an object after the compiler);
#   - its manifest: the union of its objects' per-object manifests, every
#     file any of them read, with its sha256 now (the configuration
#     salt-less where the per-object rule allowed it);
#   - the command of each object: the restored .cmd holds the command that
#     made it, and Kbuild recompiles any object whose command differs from
#     the one it would run now (if_changed), through the per-object cache.
# ABI-named header directories are placeholders in .cmd files, as in the
# per-object entries. Objects the wrapper would not cache (kpython.mod.o
# names the release) are never in a group.
#
# Entries: <dir>/groups/<G>-<M>.m (manifest, named by its digest), .tar
# (objects and .cmd files under kernel_mod/), .sha256 (of the tar, written
# last). A damaged entry is ignored, never used. Never fails the build:
# every problem is a miss.
set -u
dir=${KPY_OBJCACHE:-}
[ -n "$dir" ] && [ -d "$dir" ] && [ -w "$dir" ] || exit 0
: "${KPY_OBJCACHE_TOOLCHAIN:?}" "${KPY_OBJCACHE_TREE:?}" "${KPY_OBJCACHE_KDIR:?}" "${KPY_OBJCACHE_NORM:?}" "${KPY_OBJCACHE_DENORM:?}"
src=${KPY_OBJCACHE_SRC:-/build/src}
tools=$(cd "${0%/*}" && pwd)
kdir=$KPY_OBJCACHE_KDIR
say() { printf '[kpython] object group: %s\n' "$*"; }
tmp=${TMPDIR:-/tmp}/kpy-group.$$
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp" "$dir/groups" 2>/dev/null || exit 0

first=$({
	echo "kpy-objcache-group 2"
	echo "toolchain $KPY_OBJCACHE_TOOLCHAIN"
	echo "tree $KPY_OBJCACHE_TREE"
	echo "epoch ${SOURCE_DATE_EPOCH:-}"
	env | grep -E '^(CPATH|C_INCLUDE_PATH|CPLUS_INCLUDE_PATH|OBJC_INCLUDE_PATH|GCC_[A-Z_]*|COMPILER_PATH|DEPENDENCIES_OUTPUT|SUNPRO_DEPENDENCIES)=' | LC_ALL=C sort
	# The programs and compiler plugins (-fplugin=scripts/gcc-plugins/*.so:
	# the per-object key hashes their bytes, a .cmd names only their path),
	# by name under the header directory and by bytes.
	for t in scripts tools; do
		[ -d "$kdir/$t" ] || continue
		(cd "$kdir" && find -L "$t" -type f \( -perm -u+x -o -name '*.so' \) -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
	done
} | sha256sum | cut -c1-64)

# valid MANIFEST: every file it lists hashes as listed (paths relative to
# the kernel's build directory, the compiler's working directory).
valid() {
	(
		cd "$kdir" || exit 1
		# The configuration, salt-less (objcache-cc.sh keyed it so).
		grep '^salt-less ' "$1" | sed "$KPY_OBJCACHE_DENORM" | while IFS= read -r line; do
			# "salt-less <sha256>  -  <path>", as objcache-cc.sh writes it.
			conf=${line#*-  }
			case $conf in /*) ;; *) conf=$kdir/$conf ;; esac
			if [ "$conf" = "${KPY_OBJCACHE_CONF:-}" ] && [ -n "${KPY_OBJCACHE_SALTLESS:-}" ]; then
				have=$KPY_OBJCACHE_SALTLESS
			else
				have=$(sed -f "$tools/objcache-conf.sed" "$conf" | sha256sum) || exit 1
			fi
			[ "salt-less $have  ${line#*-  }" = "$line" ] || exit 1
		done || exit 1
		# The header trees' files by the build's table, the rest read now.
		grep -v '^salt-less ' "$1" | sed "$KPY_OBJCACHE_DENORM" |
			awk -v cwd="$kdir" -v sums="${KPY_OBJCACHE_SUMS:-/dev/null}" -f "$tools/objcache-check.awk" >"$tmp/rest" || exit 1
		[ ! -s "$tmp/rest" ] || sha256sum -c --status "$tmp/rest" 2>/dev/null
	)
}

restore() {
	n=0
	for m in "$dir/groups/$first"-*.m; do
		[ -f "$m" ] || continue
		n=$((n + 1))
		[ $n -le 8 ] || break
		base=${m%.m}
		[ "$(sha256sum <"$m")" = "${base##*-}  -" ] || { rm -f "$base.sha256" "$m"; say "damaged manifest ignored"; continue; }
		valid "$m" || continue
		rm -rf "$tmp/x" && mkdir "$tmp/x" || return 0
		IFS= read -r want <"$base.sha256" 2>/dev/null || want=
		# The digest of the copy that is unpacked, not of the file it came from.
		cp "$base.tar" "$tmp/g.tar" 2>/dev/null && [ "$(sha256sum <"$tmp/g.tar")" = "$want" ] ||
			{ say "damaged entry ignored"; continue; }
		# Only objects and .cmd files below kernel_mod/: a name with .. or
		# a leading / (or anything else) is not a group's.
		tar -tf "$tmp/g.tar" >"$tmp/names" || continue
		if grep -qvE '^kernel_mod/([A-Za-z0-9_+.-]+/)*(\.[A-Za-z0-9_+-][A-Za-z0-9_+.-]*\.o\.cmd|[A-Za-z0-9_+-][A-Za-z0-9_+.-]*\.o)$' "$tmp/names" ||
			grep -q '/\.\./\|/\./' "$tmp/names"; then
			say "entry with other names ignored"
			continue
		fi
		tar -xf "$tmp/g.tar" -C "$tmp/x" || continue
		count=$(grep -c '\.o$' "$tmp/names")
		# One sed for every .cmd file, not two processes each.
		grep '\.cmd$' "$tmp/names" | (cd "$tmp/x" && xargs -r -d '\n' sed -i "$KPY_OBJCACHE_DENORM") || return 0
		# Into place with this moment's times: newer than every header and
		# source, so make takes each object as up to date when its command
		# is the same.
		(cd "$tmp/x" && tar -cf - .) | tar -xmf - --no-overwrite-dir -C "$src" || return 0
		touch -c "$base.sha256" "$m" 2>/dev/null
		say "hit, $count objects"
		echo hit >"${KPY_OBJCACHE_GROUP_STATE:-/dev/null}"
		return 0
	done
	say "miss"
	echo miss >"${KPY_OBJCACHE_GROUP_STATE:-/dev/null}"
}

store() {
	ents=${KPY_OBJCACHE_ENTRIES:-}
	[ -s "$ents" ] && [ -f "${KPY_OBJCACHE_GROUP_STATE:-}" ] || return 0
	: >"$tmp/union"
	: >"$tmp/files"
	# "<object> <per-object entry>" from objcache-cc.sh, one per object it hit or stored.
	while read -r obj ent; do
		case $obj in "$src"/kernel_mod/*.o) ;; *) continue ;; esac
		# Only objects of sources there before make (restore wrote the
		# state file just before it): one that make generates
		# (kpython.mod.c, from modpost) is not there when the next build
		# restores, and names its release anyway.
		[ -f "${obj%.o}.c" ] && [ ! "${obj%.o}.c" -nt "$KPY_OBJCACHE_GROUP_STATE" ] || continue
		cmd=${obj%/*}/.${obj##*/}.cmd
		[ -f "$obj" ] && [ -f "$cmd" ] && [ -f "$ent.m" ] || { say "not stored: $obj or its entry is gone"; return 0; }
		cat "$ent.m" >>"$tmp/union"
		echo "${obj#"$src"/}" >>"$tmp/files"
		echo "${cmd#"$src"/}" >>"$tmp/files"
	done <"$ents"
	[ -s "$tmp/files" ] || return 0
	# One configuration line at most (one build, one configuration), first.
	{ grep '^salt-less ' "$tmp/union" | LC_ALL=C sort -u; grep -v '^salt-less ' "$tmp/union" | LC_ALL=C sort -u; } >"$tmp/m"
	[ "$(grep -c '^salt-less ' "$tmp/m")" -le 1 ] || return 0
	# The same path twice with two digests: not one build's reading.
	[ -z "$(grep -v '^salt-less ' "$tmp/m" | cut -c67- | uniq -d)" ] || { say "not stored: a file changed during the build"; return 0; }
	mkdir "$tmp/s" || return 0
	(cd "$src" && LC_ALL=C sort -u "$tmp/files" | tar -cf - -T -) | tar -xf - -C "$tmp/s" || return 0
	grep '\.cmd$' "$tmp/files" | (cd "$tmp/s" && xargs -r -d '\n' sed -i "$KPY_OBJCACHE_NORM") || return 0
	(cd "$tmp/s" && LC_ALL=C sort -u "$tmp/files" | tar --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$tmp/g.tar" -T -) || return 0
	manifest=$(sha256sum <"$tmp/m" | cut -c1-64)
	entry=$dir/groups/$first-$manifest
	[ ! -f "$entry.sha256" ] || return 0
	part=$entry.tmp.$$
	# Staged beside the entry (same file system: atomic renames), the digest last.
	cp "$tmp/g.tar" "$entry.tar.$$" && cp "$tmp/m" "$part.m" &&
		sha256sum <"$tmp/g.tar" >"$entry.sha256.$$" &&
		mv -f "$entry.tar.$$" "$entry.tar" && mv -f "$part.m" "$entry.m" && mv -f "$entry.sha256.$$" "$entry.sha256" &&
		say "stored, $(grep -c '\.o$' "$tmp/files") objects" ||
		rm -f "$entry.tar.$$" "$part.m" "$entry.sha256.$$"
}

case ${1:-} in
restore) restore ;;
store) store ;;
*) echo "usage: $0 restore|store" >&2; exit 2 ;;
esac
exit 0
