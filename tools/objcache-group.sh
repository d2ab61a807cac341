#!/bin/sh
# objcache-group.sh restore|store - the module's objects as a few cache
# entries (issue 14), beside the per-object cache of tools/objcache-cc.sh.
#
# Reusing objects one by one still runs Kbuild's whole per-object rule for
# each: the wrapper's lookup, objtool, fixdep. When a kernel's headers give
# objects the bytes another kernel's did (another ABI or upstream release
# of the series), the build can skip all of that: `store` keeps, after a
# build, every object the wrapper could cache as Kbuild left it (objtool
# run) with its .cmd file, and `restore` puts them back before the next
# build's make, which then finds them up to date and compiles only the rest.
#
# What makes a group valid for a build:
#   - its first key: the toolchain of the per-object key
#     (KPY_OBJCACHE_TOOLCHAIN), SOURCE_DATE_EPOCH and the compiler's
#     environment variables;
#   - its manifest: the union of its objects' per-object manifests, every
#     file any of them read, with its sha256 now, and the bytes of the
#     kernel's programs that could have changed an object after the
#     compiler (below, `programs`); then two parts that the per-object key
#     holds whole and a group narrows to what its objects could see, so
#     that another flavour of the same kernel (cloud-amd64 beside amd64)
#     or a release with a new header elsewhere can share it:
#       - "listing": of the header trees' names, those an #include of its
#         objects could have found before the file it read (same last
#         name) and every link (tools/objcache-listing.awk); the whole
#         listing ("tree") when a file says __has_include, which asks
#         for names no dependency file lists;
#       - "config": of the kernel configuration, the #defines of every
#         CONFIG_ name that its files and commands say, as fixdep reads
#         them (tools/objcache-conf-names.awk); the per-object
#         rule's salt-less header whole when a file pastes onto CONFIG_,
#         names the build salt or the header has another shape;
#   - the command of each object: the restored .cmd holds the command that
#     made it, and Kbuild recompiles any object whose command differs from
#     the one it would run now (if_changed), through the per-object cache.
# ABI-named header directories are placeholders in .cmd files, as in the
# per-object entries. Objects the wrapper would not cache (kpython.mod.o
# names the release) are never in a group.
#
# Entries: <dir>/groups/<G>-<C>-<M>.m (first key G, class C as below,
# manifest named by its digest M), .tar (objects and .cmd files under
# kernel_mod/), .sha256 (of the tar, written last). A damaged entry is
# ignored, never used. Never fails the build: every problem is a miss.
set -u
dir=${KPY_OBJCACHE:-}
[ -n "$dir" ] && [ -d "$dir" ] && [ -w "$dir" ] || exit 0
: "${KPY_OBJCACHE_TOOLCHAIN:?}" "${KPY_OBJCACHE_TREE:?}" "${KPY_OBJCACHE_LISTING:?}" "${KPY_OBJCACHE_CONF:?}" "${KPY_OBJCACHE_KDIR:?}" "${KPY_OBJCACHE_NORM:?}" "${KPY_OBJCACHE_DENORM:?}"
src=${KPY_OBJCACHE_SRC:-/build/src}
tools=$(cd "${0%/*}" && pwd)
kdir=$KPY_OBJCACHE_KDIR
say() { printf '[kpython] object group: %s\n' "$*"; }
tmp=${TMPDIR:-/tmp}/kpy-group.$$
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp" "$dir/groups" 2>/dev/null || exit 0

first=$({
	echo "kpy-objcache-group 3"
	echo "toolchain $KPY_OBJCACHE_TOOLCHAIN"
	echo "epoch ${SOURCE_DATE_EPOCH:-}"
	env | grep -E '^(CPATH|C_INCLUDE_PATH|CPLUS_INCLUDE_PATH|OBJC_INCLUDE_PATH|GCC_[A-Z_]*|COMPILER_PATH|DEPENDENCIES_OUTPUT|SUNPRO_DEPENDENCIES)=' | LC_ALL=C sort
} | sha256sum | cut -c1-64)

# programs CMDFILES: "sha256  path" (relative to the kernel's build
# directory) of each program and plugin of the kernel's scripts/ and tools/
# that could have changed the objects after the compiler. Kbuild saves in
# an object's .cmd file the command that made it: the compiler, then
# objtool where objtool runs per object (where it runs on the linked module
# instead, as with CONFIG_X86_KERNEL_IBT, the module's link runs this
# build's own), and -fplugin= names the compiler plugins. Two steps of the
# rule are not in that command, so they are keyed whenever present:
# recordmcount (it edits the object when the configuration asks for it)
# and genksyms (it adds symbol versions to the .cmd file of an object that
# exports symbols). A program's .real-* siblings count as its own. Every other program Kbuild has (fixdep and the like)
# writes only what make reads, never an object. Keyed by bytes, not by the
# kernel's release, so kernels whose kbuild packages differ only where
# nothing of ours runs (objtool, on 6.12) share a group.
programs() {
	{
		echo scripts/recordmcount
		echo scripts/genksyms/genksyms
		(cd "$src" && xargs -r -d '\n' cat) <"$1" | sed "$KPY_OBJCACHE_NORM" | tr -s ' \t=,;:()"'"'"'' '[\n*]' |
			sed -n 's|^@KDIR@/||; s|^\(\./\)*||; /^\(scripts\|tools\)\/[A-Za-z0-9_./+-]*$/p'
	} | LC_ALL=C sort -u | (
		cd "$kdir" || exit 1
		while IFS= read -r p; do
			# Debian's objtool is a launcher of objtool.real-<arch>.
			for q in "$p" "$p".real-*; do
				[ ! -f "$q" ] || sha256sum "$q" || exit 1
			done
		done
	)
}

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
		# "config <sha256>  <names>": the #defines of those names now.
		grep '^config ' "$1" | while IFS= read -r line; do
			printf '%s\n' ${line#config *  } >"$tmp/cnames"
			have=$(conf_lines "$tmp/cnames") || exit 1
			[ "config $have  ${line#config *  }" = "$line" ] || exit 1
		done || exit 1
		! grep '^tree ' "$1" | grep -qvx "tree $KPY_OBJCACHE_TREE" || exit 1
		# The header trees' files by the build's table, the rest read now.
		grep -v '^\(salt-less\|config\|tree\|listing\) ' "$1" | sed "$KPY_OBJCACHE_DENORM" |
			awk -v cwd="$kdir" -v sums="${KPY_OBJCACHE_SUMS:-/dev/null}" -f "$tools/objcache-check.awk" >"$tmp/rest" || exit 1
		[ ! -s "$tmp/rest" ] || sha256sum -c --status "$tmp/rest" 2>/dev/null
	)
}

# unpack ENTRY: its objects and .cmd files into the sources; sets count to how many.
unpack() {
	base=$1
	rm -rf "$tmp/x" && mkdir "$tmp/x" || return 1
	IFS= read -r want <"$base.sha256" 2>/dev/null || want=
	# The digest of the copy that is unpacked, not of the file it came from.
	cp "$base.tar" "$tmp/g.tar" 2>/dev/null && [ "$(sha256sum <"$tmp/g.tar")" = "$want" ] ||
		{ say "damaged entry ignored"; return 1; }
	# Only objects and .cmd files below kernel_mod/: a name with .. or
	# a leading / (or anything else) is not a group's.
	tar -tf "$tmp/g.tar" >"$tmp/names" || return 1
	if grep -qvE '^kernel_mod/([A-Za-z0-9_+.-]+/)*(\.[A-Za-z0-9_+-][A-Za-z0-9_+.-]*\.o\.cmd|[A-Za-z0-9_+-][A-Za-z0-9_+.-]*\.o)$' "$tmp/names" ||
		grep -q '/\.\./\|/\./' "$tmp/names"; then
		say "entry with other names ignored"
		return 1
	fi
	tar -xf "$tmp/g.tar" -C "$tmp/x" || return 1
	# One sed for every .cmd file, not two processes each.
	grep '\.cmd$' "$tmp/names" | (cd "$tmp/x" && xargs -r -d '\n' sed -i "$KPY_OBJCACHE_DENORM") || return 1
	# Into place with this moment's times: newer than every header and
	# source, so make takes each object as up to date when its command
	# is the same.
	(cd "$tmp/x" && tar -cf - .) | tar -xmf - --no-overwrite-dir -C "$src" || return 1
	touch -c "$base.sha256" "$base.m" 2>/dev/null
	count=$(grep -c '\.o$' "$tmp/names")
}

# conf_lines NAMES: the sha256 of this build's #defines of the names in the
# file NAMES (and of names they begin); fails if the header is not kconfig's.
conf_lines() {
	sed -f "$tools/objcache-conf.sed" "$KPY_OBJCACHE_CONF" >"$tmp/c0" &&
		awk -v names="$1" -f "$tools/objcache-conf-names.awk" "$tmp/c0" >"$tmp/c1" &&
		sha256sum <"$tmp/c1" | cut -c1-64
}

# narrow SUMS CONF: a class's manifest from its files' lines (SUMS) and the
# per-object rule's configuration line (CONF, empty or one salt-less line):
# the config, tree and listing lines the header describes, then SUMS.
narrow() {
	# The files the objects read (not the programs), and their commands.
	grep -v '  \(scripts\|tools\)/' "$1" | cut -c67- | sed "$KPY_OBJCACHE_DENORM" >"$tmp/read"
	cut -d' ' -f3,4 "$tmp/mine" | tr ' ' '\n' | grep '\.cmd$' | sed "s|^|$src/|" >>"$tmp/read"
	words=$( (cd "$kdir" && xargs -r -d '\n' grep -h -o -E '__has_include|CONFIG_[A-Za-z0-9_]*[[:space:]]*##|##[[:space:]]*CONFIG_|(^|[^A-Za-z0-9_])CONFIG_[A-Za-z0-9_]+') <"$tmp/read" |
		sed 's/^[^A-Za-z0-9_#]//' | LC_ALL=C sort -u) || return 1
	conf=$(cat "$2")
	cpath=$(printf '%s' "${conf#*-  }" | sed "$KPY_OBJCACHE_DENORM")
	case $cpath in /*) ;; *) cpath=$kdir/$cpath ;; esac
	if [ -n "$conf" ] && [ "$cpath" = "$KPY_OBJCACHE_CONF" ] && ! printf '%s\n' "$words" | grep -q -e '#' -e '^CONFIG_BUILD_SALT'; then
		printf '%s\n' "$words" | grep '^CONFIG_' >"$tmp/cnames"
		# A header of another shape keeps the per-object rule's line.
		! have=$(conf_lines "$tmp/cnames") || conf="config $have  $(tr '\n' ' ' <"$tmp/cnames" | sed 's/ $//')"
	fi
	{
		[ -z "$conf" ] || echo "$conf"
		! printf '%s\n' "$words" | grep -q '^__has_include' || echo "tree $KPY_OBJCACHE_TREE"
		cat "$1"
	} >"$tmp/body"
	awk -v listing="$KPY_OBJCACHE_LISTING" -v out="$tmp/N" -f "$tools/objcache-listing.awk" "$tmp/body" || return 1
	echo "listing $(sha256sum <"$tmp/N.1" | cut -c1-64)"
	cat "$tmp/body"
}

# The objects are stored in classes: those that read the same kernel files
# (by name) are one entry, <first>-<class>-<manifest>. A kernel whose headers
# differ in a file only some objects read (fs.h, which the module's glue
# reads and the interpreter does not) still restores the other classes, and
# Kbuild compiles the rest through the per-object cache. Each class's
# newest entries are tried (at most 4), each restored entry's objects are
# this build's (its manifest holds), so two entries naming one object give
# it the same bytes. The state file says hit (every class restored),
# partial or miss.
restore() {
	total=0 restored=0 missed=0
	# Each class's newest manifests (at most 4) that are what was written
	# (named by their digest), then their part of this build's listing,
	# all in one awk.
	: >"$tmp/cands"
	for c in $(cd "$dir/groups" && ls -- "$first"-*.m 2>/dev/null | cut -c66-81 | LC_ALL=C sort -u); do
		case $c in *[!0-9a-f]*) continue ;; esac
		for m in $(ls -t -- "$dir/groups/$first-$c"-*.m 2>/dev/null | head -n 4); do
			base=${m%.m}
			[ "$(sha256sum <"$m")" = "${base##*-}  -" ] || { rm -f "$base.sha256" "$m"; say "damaged manifest ignored"; continue; }
			echo "$c $m" >>"$tmp/cands"
		done
	done
	[ ! -s "$tmp/cands" ] || cut -d' ' -f2 "$tmp/cands" | xargs awk -v listing="$KPY_OBJCACHE_LISTING" -v out="$tmp/L" -f "$tools/objcache-listing.awk" || : >"$tmp/cands"
	i=0 last= got=
	while read -r c m; do
		i=$((i + 1))
		if [ "$c" != "$last" ]; then
			[ -z "$last" ] || if [ -n "$got" ]; then restored=$((restored + 1)); else missed=$((missed + 1)); fi
			last=$c got=
		fi
		[ -z "$got" ] || continue
		grep -qx "listing $(sha256sum <"$tmp/L.$i" | cut -c1-64)" "$m" || continue
		valid "$m" || continue
		unpack "${m%.m}" || continue
		got=1 total=$((total + count))
	done <"$tmp/cands"
	[ -z "$last" ] || if [ -n "$got" ]; then restored=$((restored + 1)); else missed=$((missed + 1)); fi
	if [ $restored -eq 0 ]; then
		say "miss"
		echo miss >"${KPY_OBJCACHE_GROUP_STATE:-/dev/null}"
	elif [ $missed -eq 0 ]; then
		say "hit, $total objects ($restored classes)"
		echo hit >"${KPY_OBJCACHE_GROUP_STATE:-/dev/null}"
	else
		say "partial hit, $total objects ($restored classes; $missed others)"
		echo partial >"${KPY_OBJCACHE_GROUP_STATE:-/dev/null}"
	fi
}

store() {
	ents=${KPY_OBJCACHE_ENTRIES:-}
	[ -s "$ents" ] && [ -f "${KPY_OBJCACHE_GROUP_STATE:-}" ] || return 0
	: >"$tmp/objs"
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
		echo "$ent.m ${obj#"$src"/} ${cmd#"$src"/}" >>"$tmp/objs"
	done <"$ents"
	[ -s "$tmp/objs" ] || return 0
	# Each object's class: the kernel files its manifest lists (every path
	# not under our sources, in the manifest's order), one awk for all.
	awk -v src="$src/" '{
		k = ""
		while ((getline l < $1) > 0) { p = substr(l, 67); if (l !~ /^salt-less / && index(p, src) != 1) k = k "\n" p }
		close($1)
		if (!(k in id)) { id[k] = ++n; f = sprintf("%s.%d", FILENAME, n); printf "%s", substr(k, 2) > (f ".names"); close(f ".names") }
		print id[k], $0
	}' "$tmp/objs" >"$tmp/classes" || return 0
	stored=0 objects=0
	for c in $(cut -d' ' -f1 "$tmp/classes" | LC_ALL=C sort -un); do
		class=$(sha256sum <"$tmp/objs.$c.names" | cut -c1-16)
		awk -v c="$c" '$1 == c' "$tmp/classes" >"$tmp/mine"
		cut -d' ' -f2 "$tmp/mine" | xargs -r cat >"$tmp/union" || continue
		cut -d' ' -f3,4 "$tmp/mine" | tr ' ' '\n' >"$tmp/files"
		grep '\.cmd$' "$tmp/files" >"$tmp/cmds" && programs "$tmp/cmds" >>"$tmp/union" || { say "not stored: cannot hash the kernel's programs"; continue; }
		# One configuration line at most (one build, one configuration).
		grep '^salt-less ' "$tmp/union" | LC_ALL=C sort -u >"$tmp/conf"
		[ "$(wc -l <"$tmp/conf")" -le 1 ] || continue
		grep -v '^salt-less ' "$tmp/union" | LC_ALL=C sort -u >"$tmp/sums"
		# The same path twice with two digests: not one build's reading.
		[ -z "$(cut -c67- "$tmp/sums" | uniq -d)" ] || { say "not stored: a file changed during the build"; continue; }
		narrow "$tmp/sums" "$tmp/conf" >"$tmp/m" || continue
		manifest=$(sha256sum <"$tmp/m" | cut -c1-64)
		entry=$dir/groups/$first-$class-$manifest
		[ ! -f "$entry.sha256" ] || continue
		rm -rf "$tmp/s" && mkdir "$tmp/s" || continue
		(cd "$src" && LC_ALL=C sort -u "$tmp/files" | tar -cf - -T -) | tar -xf - -C "$tmp/s" || continue
		grep '\.cmd$' "$tmp/files" | (cd "$tmp/s" && xargs -r -d '\n' sed -i "$KPY_OBJCACHE_NORM") || continue
		(cd "$tmp/s" && LC_ALL=C sort -u "$tmp/files" | tar --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$tmp/g.tar" -T -) || continue
		part=$entry.tmp.$$
		# Staged beside the entry (same file system: atomic renames), the digest last.
		if cp "$tmp/g.tar" "$entry.tar.$$" && cp "$tmp/m" "$part.m" &&
			sha256sum <"$tmp/g.tar" >"$entry.sha256.$$" &&
			mv -f "$entry.tar.$$" "$entry.tar" && mv -f "$part.m" "$entry.m" && mv -f "$entry.sha256.$$" "$entry.sha256"; then
			stored=$((stored + 1)) objects=$((objects + $(grep -c '\.o$' "$tmp/files")))
		else
			rm -f "$entry.tar.$$" "$part.m" "$entry.sha256.$$"
		fi
	done
	[ $stored -eq 0 ] || say "stored, $objects objects ($stored classes)"
}

case ${1:-} in
restore) restore ;;
store) store ;;
*) echo "usage: $0 restore|store" >&2; exit 2 ;;
esac
exit 0
