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
#      an execution) call into the interpreter.
# New glue that the interpreter calls, or that calls it, must be reviewed
# for that and added to the lists below. Exit 1 with the offending symbols.
set -eu
kmod=$1
cd "$kmod"
# kmod_*.o: the `kernel` module's bindings. They build Python objects (so
# they call the interpreter) and reach the kernel only through kern_*.o,
# whose entry points that may sleep leave the section themselves.
# kpy_mp_*.o: open(), os and import, the same way over kpy_vfs*.o.
inside_glue="kpy_hal.o kpy_port.o $(ls kmod_*.o kpy_mp_*.o 2>/dev/null | tr '\n' ' ')"
entry_glue="kpy_interp.o $inside_glue"
fpu_objs=$(find gen -name '*.o' | LC_ALL=C sort)
glue_objs=$(ls kpy_*.o kmod_*.o kern_*.o 2>/dev/null)
status=0
bad() { echo "check-fpu-boundary: $*" >&2; status=1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2086 # word lists of object files
{
	nm --defined-only $fpu_objs | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/fpu-defs"
	nm --defined-only $fpu_objs | awk 'NF == 3 && $2 ~ /[TtW]/ { print $3 }' |
		sort -u >"$tmp/fpu-funcs"
	nm --defined-only $glue_objs | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/glue-defs"
	nm -u $fpu_objs | awk 'NF == 2 { print $2 }' | sort -u >"$tmp/fpu-undef"
}
sort -u "$tmp/fpu-defs" "$tmp/glue-defs" >"$tmp/module-defs"

x86=false
case $(od -An -tx1 -j18 -N1 kpy_fpu.o | tr -d ' ') in 3e) x86=true ;; esac

# 1.
if $x86; then
	for o in $glue_objs; do
		n=$(objdump -d "$o" | grep -cE '%([xyz]?mm[0-9]+|st\b)' || true)
		[ "$n" = 0 ] || bad "$o uses FPU/vector registers ($n instructions)"
	done
fi

# 2.
comm -23 "$tmp/fpu-undef" "$tmp/module-defs" >"$tmp/kernel-calls"
if $x86; then
	grep -vE '^(__fentry__|__stack_chk_fail|(__)?fortify_panic|__(asan|ubsan|kasan|kcsan|tsan)_[a-z0-9_]+|__sanitizer_cov_[a-z0-9_]+|__x86_return_thunk|__x86_indirect_thunk_[a-z0-9]+|mem(cmp|cpy|move|set|chr)|str(chr|rchr|cmp|ncmp|len|nlen))$' \
		"$tmp/kernel-calls" >"$tmp/kernel-bad" || true
	[ ! -s "$tmp/kernel-bad" ] ||
		bad "the interpreter calls kernel functions directly: $(tr '\n' ' ' <"$tmp/kernel-bad")"
fi

# 3.
for o in $glue_objs; do
	case " $inside_glue " in *" $o "*) continue ;; esac
	called=$(nm --defined-only "$o" | awk 'NF == 3 && $2 ~ /[TW]/ { print $3 }' | sort -u |
		comm -12 - "$tmp/fpu-undef" | tr '\n' ' ')
	[ -z "$called" ] || bad "the interpreter calls $o, which is not reviewed glue: $called"
done

# 4.
for o in $glue_objs; do
	case " $entry_glue " in *" $o "*) continue ;; esac
	calls=$(nm -u "$o" | awk 'NF == 2 { print $2 }' | sort -u |
		comm -12 - "$tmp/fpu-funcs" | tr '\n' ' ')
	[ -z "$calls" ] || bad "$o calls the interpreter outside an FPU section: $calls"
done

[ $status = 0 ] && echo "check-fpu-boundary: $(echo $fpu_objs | wc -w) FPU objects, $(echo $glue_objs | wc -w) glue objects: boundary holds"
exit $status
