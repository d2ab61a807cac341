from collections import deque
print([] * 3, [1] * 0, () * 3, list(range(0)), tuple([]), dict(), set(), sorted([]))
print(list(reversed([])), [][1:], ()[5:], list(zip()), list(map(abs, [])), list(filter(None, [])))
l = [1]
l[0:1] = []
l.extend([])
l += []
print(l, len(l), deque((), 4), {}.copy(), set() | set())
l.append(2)
print(l, list(enumerate([])), [x for x in ()], {k: 1 for k in ()})
