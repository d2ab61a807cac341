class B:
    def f(self):
        return 0
C = B
for i in range(1500):
    C = type("C%d" % i, (C,), {"f": lambda self, C=C: super(C, self).f() + 1})
D = C
try:
    r = D().f()
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
