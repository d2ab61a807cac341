# broke: re.sub hands its callback a match object on the Python stack (extmod/modre.c re_sub_helper); kept, it is garbage later
import re
kept = []
def cb(m):
    kept.append(m)
    return 'x'
re.sub('(a)(b)', cb, 'abababab')
def deep(n):
    if n: return deep(n - 1)
    return [0] * 100
deep(50)
for m in kept:
    print(m.group(0), m.group(1), m.groups())
