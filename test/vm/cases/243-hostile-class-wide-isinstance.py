try:
    bases = tuple(type("B%d" % i, (), {}) for i in range(1000))
    W = type("W", bases, {})
    r = isinstance(W(), int)
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
