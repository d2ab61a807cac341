try:
    class M:
        pass
    C = object
    for i in range(1000):
        C = type("C%d" % i, (C, M), {})
    r = isinstance(C(), int)
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
