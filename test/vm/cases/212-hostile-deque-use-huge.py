from collections import deque
try:
    d = deque((), 2 ** 62 - 1)
except (MemoryError, OverflowError, ValueError) as e:
    print(type(e).__name__)
else:
    for i in range(100):
        d.append(i)
    print(d.popleft(), len(d))
