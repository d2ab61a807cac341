#!/bin/sh
# check-fpu-boundary.sh KMOD_DIR: after a build, check from the objects that
# FPU-compiled code (the interpreter, kernel_mod/gen/) and our glue meet
# only where kpy_fpu.c's sections are (issue 10):
#   1. glue objects use no FPU or vector register (they run outside sections);
#   2. the interpreter calls only kernel functions that cannot sleep (string
#      functions, stack protector, retpoline/return thunks, sanitizer
#      instrumentation of debug kernels) - anything else
#      must go through glue that leaves the section;
#   3. the glue functions the interpreter calls live in the objects that leave the
#      section around whatever may sleep ($inside_glue);
#   4. only those objects and kpy_interp.o (which opens the section around
#      an execution) call into the interpreter;
#   5. (x86-64) glue enters the interpreter only by a call, never by a tail
#      jump (direct or indirect): the interpreter is compiled for the ABI's
#      16-byte stack alignment, which the glue re-establishes in its own
#      frame (Kbuild: -mincoming-stack-boundary=3), and a tail jump would
#      pass on the kernel caller's 8-byte alignment instead.
# New glue that the interpreter calls, or that calls it, must be reviewed
# for that and added to the lists below. Exit 1 with the offending symbols.
set -eu
kmod=$1
cd "$kmod"
# kmod_*.o: the `kernel` module's bindings. They build Python objects (so
# they call the interpreter) and reach the kernel only through kern_*.o,
# whose entry points that may sleep leave the section themselves.
# kpy_mp_*.o: open(), os and import, the same way over kpy_vfs*.o.
# kpy_libc.o: the freestanding libc's overflow report (prints, never returns).
inside_glue="kpy_hal.o kpy_port.o kpy_libc.o $(ls kmod_*.o kpy_mp_*.o 2>/dev/null | tr '\n' ' ')"
entry_glue="kpy_interp.o $inside_glue"
# The objects of this build: Kbuild lists them in kpython.mod. Objects of
# an earlier build for another target (nlrx64.o after an x86 build, when
# the bundle stayed) may lie in the tree and are not judged.
if [ -s kpython.mod ]; then
	built=$(tr ' ' '\n' <kpython.mod | sed -n "s|^$PWD/||p")
else
	built=$(find . -name '*.o' ! -name '*.mod.o' | sed 's|^\./||')
fi
fpu_objs=$(printf '%s\n' $built | grep '^gen/' | LC_ALL=C sort)
glue_objs=$(printf '%s\n' $built | grep -E '^(kpy|kmod|kern)_[^/]*\.o$')
if [ -z "$fpu_objs" ] || [ -z "$glue_objs" ]; then
	echo "check-fpu-boundary: no objects of this build found in $PWD" >&2
	exit 1
fi
status=0
bad() { echo "check-fpu-boundary: $*" >&2; status=1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One nm and one objdump per set of objects, never one per object: a
# process per object and check cost more than a second of every build.
# nm -A prefixes each symbol with its object: "file.o:addr T sym" when
# defined, "file.o: U sym" when not ($1 up to its ':' is the object).
# shellcheck disable=SC2086 # word lists of object files
{
	nm -A --defined-only $fpu_objs | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/fpu-defs"
	nm -A --defined-only $fpu_objs | awk 'NF == 3 && $2 ~ /[TtW]/ { print $3 }' |
		sort -u >"$tmp/fpu-funcs"
	nm -A --defined-only $glue_objs | awk 'NF == 3 { o = $1; sub(/:.*/, "", o); print o, $2, $3 }' >"$tmp/glue-syms"
	awk '{ print $3 }' "$tmp/glue-syms" | sort -u >"$tmp/glue-defs"
	nm -A -u $fpu_objs | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/fpu-undef"
	nm -A -u $glue_objs | awk 'NF == 3 { o = $1; sub(/:.*/, "", o); print o, $3 }' >"$tmp/glue-undef"
}
sort -u "$tmp/fpu-defs" "$tmp/glue-defs" >"$tmp/module-defs"

# The target, from the ELF header's e_machine: x86-64 (0x3e) or AArch64
# (0xb7). Per target: the disassembler (a cross build's objdump for arm64),
# what an FPU/vector register operand looks like (x86: %st, %mm, %xmm, %ymm,
# %zmm; arm64: the FP/SIMD registers v0-v31 and their b/h/s/d/q views), and
# the calls compiled code makes by itself (x86: ftrace's __fentry__ and the
# retpoline/return thunks).
case $(od -An -tx1 -j18 -N1 kpy_fpu.o | tr -d ' ') in
3e)
	objdump=objdump
	fpu_reg='%([xyz]?mm[0-9]+|st\b)'
	arch_calls='__fentry__|__x86_return_thunk|__x86_indirect_thunk_[a-z0-9]+'
	comment='#'
	;;
b7)
	objdump=${CROSS_COMPILE:-aarch64-linux-gnu-}objdump
	command -v "$objdump" >/dev/null || objdump=aarch64-linux-gnu-objdump
	fpu_reg='(^|[^a-z0-9_.])[vqdshb]([0-9]|[12][0-9]|3[01])([^a-z0-9_]|$)'
	arch_calls='_mcount'
	comment='//'
	;;
*)
	echo "check-fpu-boundary: unknown target machine in kpy_fpu.o" >&2
	exit 1
	;;
esac
# Mnemonic and operands of each instruction, without branch targets
# ("40 <sym+0x10>": hex that can look like a register name) or comments,
# each line followed by a tab and the object it is from: objdump opens each
# object's part with "<object>:     file format <bfd name>".
insns() {
	"$objdump" -d "$@" | awk -F'\t' -v c="$comment" '
		NF == 1 && / file format / { o = $0; sub(/: +file format .*/, "", o); next }
		NF >= 3 {
			l = $3 " " $4; gsub(/[0-9a-f]+ <[^>]*>/, "", l)
			i = index(l, c); if (i) l = substr(l, 1, i - 1)
			print l "\t" o }'
}

# 1. The register patterns cannot match the object's name after the tab:
# x86's need a '%', arm64's a register letter right after a non-name
# character, and glue objects are named [a-z_]+.o at the top.
command -v "$objdump" >/dev/null || { echo "check-fpu-boundary: no $objdump" >&2; exit 1; }
# shellcheck disable=SC2086
insns $glue_objs | grep -E "$fpu_reg" | awk -F'\t' '{ n[$NF]++ } END { for (o in n) print o, n[o] }' | LC_ALL=C sort >"$tmp/glue-fpu"
while read -r o n; do
	bad "$o uses FPU/vector registers ($n instructions)"
done <"$tmp/glue-fpu"
# The check must be able to fail: the interpreter's float code does use them.
[ "$(insns gen/micropython_embed/py/objfloat.o | grep -cE "$fpu_reg" || true)" -gt 0 ] ||
	bad "no FPU register found in objfloat.o: the register pattern is wrong for this target"

# 2.
comm -23 "$tmp/fpu-undef" "$tmp/module-defs" >"$tmp/kernel-calls"
grep -vE "^(__stack_chk_fail|(__)?fortify_panic|__(asan|ubsan|kasan|kcsan|tsan)_[a-z0-9_]+|__sanitizer_cov_[a-z0-9_]+|$arch_calls|mem(cmp|cpy|move|set|chr)|str(chr|rchr|cmp|ncmp|len|nlen))\$" \
	"$tmp/kernel-calls" >"$tmp/kernel-bad" || true
[ ! -s "$tmp/kernel-bad" ] ||
	bad "the interpreter calls kernel functions directly: $(tr '\n' ' ' <"$tmp/kernel-bad")"

# Per glue object outside a list: the names of a set (one per line) it
# defines as functions (3.) or leaves undefined (4.), as "object: names".
outside() {
	awk -v list=" $1 " -v kind="$2" 'NR == FNR { want[$1] = 1; next }
		index(list, " " $1 " ") { next }
		kind == "def" && $2 ~ /^[TW]$/ && want[$3] { hit[$1] = hit[$1] " " $3 }
		kind == "undef" && want[$2] { hit[$1] = hit[$1] " " $2 }
		END { for (o in hit) print o ":" hit[o] }' "$3" "$4" | LC_ALL=C sort
}

# 3.
outside "$inside_glue" def "$tmp/fpu-undef" "$tmp/glue-syms" >"$tmp/glue-called"
while IFS=: read -r o called; do
	bad "the interpreter calls $o, which is not reviewed glue:$called"
done <"$tmp/glue-called"

# 4.
outside "$entry_glue" undef "$tmp/fpu-funcs" "$tmp/glue-undef" >"$tmp/glue-calls"
while IFS=: read -r o calls; do
	bad "$o calls the interpreter outside an FPU section:$calls"
done <"$tmp/glue-calls"

# 5.
if [ "$comment" = '#' ]; then
	# shellcheck disable=SC2086
	"$objdump" -dr $glue_objs | awk '
		NF >= 1 && / file format / && !/\t/ { o = $1; sub(/:$/, "", o); next }
		$0 ~ /\tjmp / { j = 1; if ($0 ~ /jmp +\*/) print o, "indirect"; next }
		j && /R_X86_64_(PLT32|PC32)/ { s = $3; sub(/[-+]0x[0-9a-f]+$/, "", s); print o, s }
		{ j = 0 }' | LC_ALL=C sort -u >"$tmp/glue-jumps"
	awk 'NR == FNR { fpu[$1] = 1; next }
		$2 == "indirect" || $2 ~ /^__x86_indirect_thunk_[a-z0-9]*$/ || fpu[$2] { bad[$1] = bad[$1] " " $2 }
		END { for (o in bad) print o ":" bad[o] }' "$tmp/fpu-funcs" "$tmp/glue-jumps" | LC_ALL=C sort >"$tmp/glue-bad-jumps"
	while IFS=: read -r o jumps; do
		bad "$o tail-jumps into the interpreter or through a pointer:$jumps"
	done <"$tmp/glue-bad-jumps"
fi

[ $status = 0 ] && echo "check-fpu-boundary: $(echo $fpu_objs | wc -w) FPU objects, $(echo $glue_objs | wc -w) glue objects: boundary holds"
exit $status
