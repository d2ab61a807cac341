# import finds name.py and packages on sys.path (/lib/kpython by default),
# compiles them afresh in every execution, and reports what is missing.
. "$KPY_LIB"

lib=/lib/kpython
mkdir -p "$lib/kpypkg/sub" /tmp/kpy-503
printf 'X = 1\ndef f(n):\n    return n * 2\n' >"$lib/kpymod.py"
printf 'NAME = "pkg"\n' >"$lib/kpypkg/__init__.py"
printf 'from . import helper\nVALUE = helper.H + 1\n' >"$lib/kpypkg/sub/__init__.py"
printf 'H = 41\n' >"$lib/kpypkg/sub/helper.py"
printf 'print("side effect")\nY = 7\n' >/tmp/kpy-503/other.py

out=$(kpython -c 'import sys
print(sys.path)
import kpymod
print(kpymod.X, kpymod.f(21))
import kpypkg, kpypkg.sub
print(kpypkg.NAME, kpypkg.sub.VALUE)
from kpypkg.sub.helper import H
print(H)
import kpymod as again
print(again is kpymod)' 2>&1)
check_status "import" 0 $?
check_eq "import" "['/lib/kpython']
1 42
pkg 42
41
True" "$out"

# A new execution sees the file as it is now.
printf 'X = 2\n' >"$lib/kpymod.py"
out=$(kpython -c 'import kpymod; print(kpymod.X)' 2>&1)
check_eq "fresh per execution" 2 "$out"

# Not on sys.path: ImportError; on it once appended (side effects run once).
out=$(kpython -c 'try:
    import other
except ImportError as e:
    print("ImportError")
import sys
sys.path.append("/tmp/kpy-503")
import other
import other
print(other.Y)' 2>&1)
check_eq "sys.path.append" "ImportError
side effect
7" "$out"

# A module's SyntaxError and exceptions come back as tracebacks.
printf 'def broken(:\n' >"$lib/kpybad.py"
printf 'raise KeyError("from module")\n' >"$lib/kpyraise.py"
kpython -c 'import kpybad' >/tmp/kpy-503/out 2>&1
check_status "syntax error in a module" 1 $?
check_contains "syntax error in a module" /tmp/kpy-503/out SyntaxError
check_contains "syntax error in a module" /tmp/kpy-503/out kpybad.py
kpython -c 'import kpyraise' >/tmp/kpy-503/out 2>&1
check_status "module raises" 1 $?
check_contains "module raises" /tmp/kpy-503/out "KeyError: from module"

# A directory without __init__.py is a namespace package; a FIFO named
# like a module is not a module.
mkdir -p "$lib/kpyns"
printf 'Z = 3\n' >"$lib/kpyns/mod.py"
mkfifo "$lib/kpyfifo.py"
out=$(kpython -c 'from kpyns import mod
print(mod.Z)
try:
    import kpyfifo
except ImportError:
    print("no fifo")' 2>&1)
check_eq "namespace package, fifo" "3
no fifo" "$out"

rm -rf "$lib/kpymod.py" "$lib/kpypkg" "$lib/kpybad.py" "$lib/kpyraise.py" \
	"$lib/kpyns" "$lib/kpyfifo.py" /tmp/kpy-503
module_works "import"
finish
