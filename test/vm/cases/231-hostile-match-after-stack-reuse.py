import re
kept = []
def keep(m):
    kept.append(m)
    return "x"
re.sub('[0-9]+', keep, 'a12b345c6')
def f(n):
    return n and f(n - 1) + 1
f(200)
x = [str(i) * 10 for i in range(300)]
print([m.group(0) for m in kept])
