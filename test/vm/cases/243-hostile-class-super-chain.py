try:
    class B:
        def f(self):
            return 0
    def f_of(K):
        return lambda self: super(K, self).f() + 1
    C = B
    for i in range(1500):
        C = type("C%d" % i, (C,), {})
        C.f = f_of(C)
    D = C
    r = D().f()
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
