#!/bin/sh
# Runs inside a locked-down builder container (no network, no capabilities,
# read-only root). The worker put into the /build volume:
#   /build/in/debs/*.deb   the verified header packages (Debian releases), or
#   /build/in/headers.tar  a validated, normalised headers upload
#   /build/src/            the kpython sources (incl. the verified MicroPython tree)
# and mounted a tmpfs at each directory the headers need (KPY_HEADER_MOUNTS,
# e.g. "/usr/src /usr/lib/linux-kbuild-6.1"), so the headers sit at their
# canonical paths. It checks that the compiler here is the kernel's, builds
# with `make KDIR=$KPY_KDIR` and leaves in /build/out the module stripped of
# its debug info, the debug info (kpython.ko.debug) and the DKMS source tree.
# Reproducibility variables come from the container environment.
# Exit codes: 3 headers unusable, 4 no artifact, 5 compiler is not the
# kernel's, other non-zero: make failed.
set -eu

say() { printf '[kpython] %s\n' "$*"; }
: "${KPY_RELEASE:?}" "${KPY_HEADER_MOUNTS:?}" "${KPY_ARTIFACT:?}"
kdir=${KPY_KDIR:-/usr/src/linux-headers-$KPY_RELEASE}

# extract TAR TMP: only members under the prepared mounts; the rest of the
# root stays read-only. --keep-directory-symlink keeps merged-/usr links.
# Each mount is named once to tar, as the member (or directory prefix) the
# listing shows: tar takes every member below a name it is given, and
# matching each of ~10,000 names given one by one took 0.4 s more.
extract() {
	x_tar=$1 x_tmp=$2
	tar -tf "$x_tar" >"$x_tmp.members" || return 1
	set --
	for x_m in $KPY_HEADER_MOUNTS; do
		# Literal prefix match (release names hold regex characters:
		# 6.12.57+deb13), in each spelling the archive uses, ./ or none.
		for x_p in $(awk -v p="${x_m#/}" '{ d = "-"; n = $0; if (substr(n, 1, 2) == "./") { d = "./"; n = substr(n, 3) }
			if (n == p || n == p "/" || substr(n, 1, length(p) + 1) == p "/") seen[d] = 1 }
			END { for (d in seen) print (d == "-" ? "" : d) p }' "$x_tmp.members"); do
			set -- "$@" "$x_p"
		done
	done
	[ $# -eq 0 ] || tar -x --keep-directory-symlink --no-same-owner -C / -f "$x_tar" "$@"
}

# unpack DEB TMP: one header package (run side by side, xz is one core's work).
unpack() {
	dpkg-deb --fsys-tarfile "$1" >"$2.tar" || { say "cannot read $1"; return 1; }
	extract "$2.tar" "$2" || { say "cannot unpack $1"; return 1; }
	rm -f "$2.tar"
}

say "unpacking headers for $KPY_RELEASE"
mkdir -p /build/tmp
if [ -f /build/in/headers.tar ]; then
	extract /build/in/headers.tar /build/tmp/headers || { say "cannot unpack the uploaded headers"; exit 3; }
	rm -f /build/in/headers.tar
else
	pids= i=0
	for deb in /build/in/debs/*.deb; do
		i=$((i + 1))
		unpack "$deb" "/build/tmp/deb$i" &
		pids="$pids $!"
	done
	failed=
	for p in $pids; do wait "$p" || failed=1; done
	[ -z "$failed" ] || exit 3
fi

[ -f "$kdir/Makefile" ] || { say "no $kdir/Makefile after unpacking"; exit 3; }
cc_text=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$kdir/.config" 2>/dev/null || true)
say "kernel compiler: ${cc_text:-unknown}"

# Never build with another compiler than the kernel's: the image was chosen
# for it, and this checks the image really has it (family and major version).
if [ -n "${KPY_CC:-}" ]; then
	have=$("$KPY_CC" -dumpfullversion 2>/dev/null || "$KPY_CC" -dumpversion 2>/dev/null || true)
	case $KPY_CC in clang*) fam=clang ;; *) fam=gcc ;; esac
	if [ "${have%%.*}" != "${KPY_CC_MAJOR:-}" ] || [ "$fam" != "${KPY_CC_FAMILY:-gcc}" ]; then
		say "compiler mismatch: the kernel needs ${KPY_CC_FAMILY:-?} ${KPY_CC_MAJOR:-?}, this image has $KPY_CC ${have:-(none)}"
		exit 5
	fi
	say "compiler here: $("$KPY_CC" --version | head -n 1)"
fi

# Debug info names the kernel's header directories by fixed names, not by
# the ABI: the same objects for every kernel whose headers they see the same,
# whether or not they came from the object cache (tools/objcache-cc.sh).
ksrc=$(sed -n 's|^include \(/.*\)/Makefile$|\1|p' "$kdir/Makefile" | head -n 1)
maps="-fdebug-prefix-map=$kdir=/usr/src/linux-headers-build"
[ -z "$ksrc" ] || maps="$maps -fdebug-prefix-map=$ksrc=/usr/src/linux-headers-source"
set --
if [ -n "${KPY_OBJCACHE:-}" ] && [ -d "$KPY_OBJCACHE" ] && [ -w "$KPY_OBJCACHE" ] && [ -n "${KPY_CC:-}" ] &&
	[ -f /build/src/tools/objcache-cc.sh ]; then
	# The toolchain part of every object's key: the image, the compiler's
	# own description and the bytes of the programs that make an object.
	ccbin=$(command -v "$KPY_CC")
	KPY_OBJCACHE_TOOLCHAIN=$({
		echo "image ${KPY_OBJCACHE_IMAGE:-}"
		"$KPY_CC" -v 2>&1
		for p in "$ccbin" "$("$KPY_CC" -print-prog-name=cc1)" "$(command -v "$("$KPY_CC" -print-prog-name=as)")"; do
			sha256sum "$(readlink -f "$p")"
		done
	} | sha256sum | cut -d' ' -f1)
	# Text as a literal sed pattern (bre) and replacement (rep).
	bre() { printf '%s' "$1" | sed 's/[].[*^$\\|]/\\&/g'; }
	rep() { printf '%s' "$1" | sed 's/[\\&|]/\\&/g'; }
	# The names (and types) of every file the include paths could find: a
	# header that appears could shadow another or answer a __has_include,
	# which no dependency file lists. ABI names are normalized as in the key.
	# The trees' scripts/ and tools/ are links into the kernel's kbuild
	# package, named after its release (../../lib/linux-kbuild-6.12.117+deb12/
	# scripts): the link's text is mapped like the ABI names, because find
	# lists no name below a link, and what a build reads through one is
	# keyed by its bytes (plugins in the per-object key; every program there
	# in the group's).
	kbuild=$(readlink "$kdir/scripts" 2>/dev/null || true)
	kbuild=${kbuild%/scripts}
	kbuild=${kbuild##*/}
	kbuild_map=
	case $kbuild in linux-kbuild-*) kbuild_map="; s|$(bre "$kbuild")|linux-kbuild-@RELEASE@|g" ;; esac
	# The listing stays for the object group, which keys only its part
	# that its objects' #includes could have found (tools/objcache-group.py).
	KPY_OBJCACHE_LISTING=/build/tmp/objcache.listing
	for t in "$kdir" ${ksrc:+"$ksrc"} /build/src; do
		echo "tree $t"
		(cd "$t" && find . -printf '%y %p %l\n' | LC_ALL=C sort)
	done | sed "s|$kdir|@KDIR@|g${ksrc:+; s|$ksrc|@KSRC@|g}$kbuild_map" >"$KPY_OBJCACHE_LISTING"
	KPY_OBJCACHE_TREE=$(sha256sum <"$KPY_OBJCACHE_LISTING" | cut -c1-64)
	KPY_OBJCACHE_KDIR=$kdir KPY_OBJCACHE_KSRC=${ksrc:-/nonexistent} KPY_OBJCACHE_LOG=/build/tmp/objcache.log
	export KPY_OBJCACHE_TOOLCHAIN KPY_OBJCACHE_TREE KPY_OBJCACHE_LISTING KPY_OBJCACHE_KDIR KPY_OBJCACHE_KSRC KPY_OBJCACHE_LOG
	# Worked out once here rather than once per object: the wrapper's sed
	# scripts to and from placeholders, this build's salt-less configuration.
	KPY_OBJCACHE_NORM="s|$(bre "$KPY_OBJCACHE_KSRC")|@KSRC@|g; s|$(bre "$kdir")|@KDIR@|g"
	KPY_OBJCACHE_DENORM="s|@KSRC@|$(rep "$KPY_OBJCACHE_KSRC")|g; s|@KDIR@|$(rep "$kdir")|g"
	KPY_OBJCACHE_CONF=$kdir/include/generated/autoconf.h
	KPY_OBJCACHE_SALTLESS=$(sed -f /build/src/tools/objcache-conf.sed "$KPY_OBJCACHE_CONF" 2>/dev/null | sha256sum)
	export KPY_OBJCACHE_NORM KPY_OBJCACHE_DENORM KPY_OBJCACHE_CONF KPY_OBJCACHE_SALTLESS
	: >"$KPY_OBJCACHE_LOG"
	# The objects as a few entries (tools/objcache-group.py): the wrapper
	# lists which entry each object came from or went to.
	KPY_OBJCACHE_ENTRIES=/build/tmp/objcache.entries KPY_OBJCACHE_GROUP_STATE=/build/tmp/objcache.group
	export KPY_OBJCACHE_ENTRIES KPY_OBJCACHE_GROUP_STATE
	: >"$KPY_OBJCACHE_ENTRIES"
	# Where the wrapper leaves each miss for tools/objcache-store.py, after make.
	KPY_OBJCACHE_STAGE=/build/tmp/objcache.stage
	export KPY_OBJCACHE_STAGE
	mkdir -p "$KPY_OBJCACHE_STAGE"
	say "object cache: toolchain ${KPY_OBJCACHE_TOOLCHAIN%"${KPY_OBJCACHE_TOOLCHAIN#????????????}"}"
	# Debian's headers Makefile: CC = $(if $(DEBIAN_KERNEL_USE_CCACHE),$(CCACHE)) gcc-12
	set -- CCACHE="sh /build/src/tools/objcache-cc.sh" DEBIAN_KERNEL_USE_CCACHE=y
fi

cd /build/src
# The generated MicroPython bundle depends on kpython's sources and the
# image's host compiler and python only (Makefile: BUNDLE_ID), never on the
# kernel: trusted builds keep it beside the objects, checked by digest.
bundle=
if [ -n "${KPY_OBJCACHE_TOOLCHAIN:-}" ] && id=$(make -s bundle-id 2>/dev/null) && [ -n "$id" ]; then
	bundle=$KPY_OBJCACHE/bundles/$(printf '%s\n' "$KPY_OBJCACHE_TOOLCHAIN" "$id" | sha256sum | cut -c1-40)
	if [ -f "$bundle.tar" ] && [ -f "$bundle.sha256" ] &&
		[ "$(sha256sum <"$bundle.tar" | cut -d' ' -f1)" = "$(cat "$bundle.sha256")" ] &&
		mkdir -p kernel_mod/gen && tar -xf "$bundle.tar" -C kernel_mod/gen; then
		touch -c "$bundle.sha256"
		say "bundle cache: hit"
		bundle=
	elif [ -f "$bundle.tar" ]; then
		say "bundle cache: corrupt entry ignored"
		rm -rf kernel_mod/gen
	fi
fi
group=
if [ -n "${KPY_OBJCACHE_TOOLCHAIN:-}" ] && [ -f tools/objcache-group.py ]; then
	# The bundle first (regenerating it removes the objects), then the
	# group of objects a build with the same headers left.
	{ [ -z "${id:-}" ] || make -s bundle; } && python3 tools/objcache-group.py restore && group=$(cat "$KPY_OBJCACHE_GROUP_STATE" 2>/dev/null)
fi
if [ -n "${KPY_OBJCACHE_TOOLCHAIN:-}" ] && [ "$group" != hit ] && [ "$group" != partial ]; then
	# The headers of the kernel's trees, hashed once (they do not change
	# during the build), and those that say incbin or SALT: the wrapper then
	# reads only the files outside them for each object. After a group hit
	# only kpython.mod.o is left to compile, after a partial one the objects
	# of the classes that missed (the kernel-side glue, mostly): the headers
	# they read cost less read directly (645 files on 6.1 amd64, each once,
	# by tools/objcache-store.py) than every header of the trees does
	# (9,346 there; the table took 0.4 s of a 6.12 rt build).
	# Each batch writes files of its own: two processes' buffered output
	# into one file can interleave mid-line.
	mkdir /build/tmp/objcache.t
	if find "$kdir" ${ksrc:+"$ksrc"} -type f -name '*.h' -print0 |
		xargs -0 -r -P2 -n 2000 sh -c 'sha256sum "$@" >"$0/s.$$" && { grep -l -E "incbin|SALT" "$@" >"$0/k.$$"; [ $? -le 1 ]; }' /build/tmp/objcache.t &&
		cat /build/tmp/objcache.t/s.* >/build/tmp/objcache.sums && cat /build/tmp/objcache.t/k.* >/build/tmp/objcache.marks; then
		KPY_OBJCACHE_SUMS=/build/tmp/objcache.sums KPY_OBJCACHE_MARKS=/build/tmp/objcache.marks
		export KPY_OBJCACHE_SUMS KPY_OBJCACHE_MARKS
	fi
	rm -rf /build/tmp/objcache.t
fi
say "make KDIR=$kdir -j${KPY_JOBS:-1}"
# The sources carry the verified MicroPython tree; nothing may be downloaded.
make KDIR="$kdir" -j"${KPY_JOBS:-1}" KCFLAGS="$maps" "$@"
if [ -n "$bundle" ] && [ -d kernel_mod/gen/micropython_embed ]; then
	mkdir -p "${bundle%/*}" &&
		tar -cf "$bundle.tar.$$" -C kernel_mod/gen --exclude='*.o' --exclude='.*.cmd' --exclude=./build-embed . &&
		sha256sum <"$bundle.tar.$$" | cut -d' ' -f1 >"$bundle.sha256.$$" &&
		mv -f "$bundle.tar.$$" "$bundle.tar" && mv -f "$bundle.sha256.$$" "$bundle.sha256" &&
		say "bundle cache: stored" || rm -f "$bundle.tar.$$" "$bundle.sha256.$$"
fi
# The misses' entries, all at once (the group is made from them).
if [ -n "${KPY_OBJCACHE_STAGE:-}" ]; then
	python3 tools/objcache-store.py || say "object cache: the store failed; this build's misses are not kept"
	rm -rf "$KPY_OBJCACHE_STAGE"
fi
# After a hit every class of the group was already there (an object Kbuild
# compiled again because its command changed is in the per-object cache);
# after a partial hit the classes this build compiled are stored.
[ -z "$group" ] || [ "$group" = hit ] || python3 tools/objcache-group.py store
if [ -n "${KPY_OBJCACHE_LOG:-}" ]; then
	n() { grep -cx "$1" "$KPY_OBJCACHE_LOG" || true; }
	say "object cache: $(n hit) hits, $(n miss) misses, $(n stored) stored, $(n corrupt) corrupt entries ignored, $(n uncacheable) uncacheable"
fi

[ -f "$KPY_ARTIFACT" ] || { say "make succeeded but left no $KPY_ARTIFACT"; exit 4; }
mkdir -p /build/out
# Strip here, before anything signs it (stripping a signed module breaks
# its signature), as kbuild's INSTALL_MOD_STRIP=1 and Debian's packages do:
# --strip-debug with the kernel's toolchain, the debug info kept beside it
# and found again through a GNU debuglink (name + CRC32, no path or time).
objcopy=${CROSS_COMPILE:-}objcopy
say "built $(wc -c <"$KPY_ARTIFACT") bytes with debug info"
cd /build/out
if "$objcopy" --only-keep-debug "/build/src/$KPY_ARTIFACT" kpython.ko.debug &&
	"$objcopy" --strip-debug "/build/src/$KPY_ARTIFACT" kpython.ko &&
	"$objcopy" --add-gnu-debuglink=kpython.ko.debug kpython.ko; then
	say "stripped: $(wc -c <kpython.ko) bytes, debug info $(wc -c <kpython.ko.debug) bytes"
else
	# Not an object objcopy knows: hand it over as built; the worker's
	# checks (ELF, vermagic, size) refuse it with their own codes.
	say "cannot strip $KPY_ARTIFACT: leaving it as built"
	rm -f kpython.ko.debug
	cp "/build/src/$KPY_ARTIFACT" kpython.ko
fi

# The DKMS source tree: the module directory as make left it (the generated
# and patched MicroPython bundle included, build products excluded) and the
# configuration it includes. The worker packages it as kpython-dkms.
cd /build/src
tar --sort=name --mtime="@${SOURCE_DATE_EPOCH:-0}" --owner=0 --group=0 --numeric-owner \
	--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' \
	--exclude='modules.order' --exclude='Module.symvers' --exclude='kernel_mod/gen/build-embed' \
	--exclude='.tmp_versions' --exclude='*.part' \
	-cf /build/out/dkms-source.tar kernel_mod $(test -d embed_cfg && echo embed_cfg) &&
	say "dkms source tree: $(wc -c </build/out/dkms-source.tar) bytes" ||
	{ say "no dkms source tree"; rm -f /build/out/dkms-source.tar; }
