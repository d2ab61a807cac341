try:
    from collections import deque
    r = deque((), 2 ** 61)
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
