import re
kept = []
def keep(m):
    kept.append(m)
    return "x"
re.sub('(a)(b)?', keep, 'ab-a')
print([m.group(1) for m in kept], [m.group(2) for m in kept])
