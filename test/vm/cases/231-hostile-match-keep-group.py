import re
kept = []
def keep(m):
    kept.append(m)
    return "x"
print(re.sub('b', keep, 'abcb'))
print(kept[0].group(0), kept[1].group(0))
