#!/bin/sh
# Build the twin once per set of inputs and print the directory that holds
# twin-fuzz and twin-run: ${KPY_CACHE_DIR:-/var/cache/kpython}/fuzz/twin-<hash>/.
# The hash covers the generated+patched bundle (made here by `make bundle`),
# the twin's sources, kernel_mod/Kbuild, kpy_stack.c and kpy_mp_* (object list,
# headroom), embed_cfg/ and the compiler.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${KPY_CACHE_DIR:-/var/cache/kpython}/fuzz
make -s -C "$top" bundle >&2

key=$( {
	(cd "$top/kernel_mod/gen" && find micropython_embed -type f -name '*.[ch]' | LC_ALL=C sort | xargs sha256sum)
	(cd "$top" && sha256sum test/fuzz/*.c test/fuzz/*.h test/fuzz/libm-include/*.h test/fuzz/Makefile \
		kernel_mod/Kbuild kernel_mod/kpy_stack.c kernel_mod/include/math.h kernel_mod/kpy_mp_* embed_cfg/*)
	clang --version
} | sha256sum | cut -c1-16)
out=$cache/twin-$key
if [ ! -x "$out/twin-fuzz" ] || [ ! -x "$out/twin-run" ]; then
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/.build-XXXXXX")
	start=$(date +%s)
	if ! nice -n 10 make -s -j"$(nproc)" -f "$top/test/fuzz/Makefile" OUT="$tmp" >&2; then
		rm -rf "$tmp"
		echo "test/fuzz/build.sh: twin build failed" >&2
		exit 1
	fi
	echo "twin built in $(( $(date +%s) - start )) s" >&2
	rm -rf "$out"
	mv "$tmp" "$out"
fi
echo "$out"
