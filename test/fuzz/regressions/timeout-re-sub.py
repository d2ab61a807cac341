# broke: re.sub building a large result near a full heap: string growth in C (py/vstr.c vstr_ensure_extra -> gc_realloc, with full collections) reaches no aborting hook: seconds past the time limit
import re
s = 'ab' * 100
def cb(m):
    global s
    s = None
    return 'x' * 10000
print(len(re.sub('a', cb, s)))
