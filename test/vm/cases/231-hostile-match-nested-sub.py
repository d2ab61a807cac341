import re
kept = []
def inner(m):
    kept.append(m)
    return m.group(0).upper()
def outer(m):
    kept.append(m)
    return re.sub('.', inner, m.group(0))
print(re.sub('[a-z]+', outer, 'ab cd'))
print([m.group(0) for m in kept])
