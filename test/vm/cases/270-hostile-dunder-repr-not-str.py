try:
    class X:
        def __repr__(self):
            return 5
    r = repr([X()])
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
