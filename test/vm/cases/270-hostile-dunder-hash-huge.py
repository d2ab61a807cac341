try:
    class X:
        def __hash__(self):
            return 2 ** 100
    r = {X(): 1} and "ok"
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
