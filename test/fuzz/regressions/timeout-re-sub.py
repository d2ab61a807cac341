# broke: building a large string in C (re.sub result) grows it in small steps, each a gc_realloc scan+copy (py/vstr.c vstr_ensure_extra, py/gc.c gc_realloc) with no loop hook: seconds past the time limit
import re
s = 'ab' * 100
def cb(m):
    global s
    s = None
    return 'x' * 10000
print(len(re.sub('a', cb, s)))
