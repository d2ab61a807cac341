try:
    from collections import deque
    r = deque((1, 2), 2 ** 62)
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
