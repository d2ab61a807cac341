class X:
    n = 0
    def __init__(self, v):
        self.v = v
    def __lt__(self, o):
        X.n += 1
        if X.n > 500:
            raise ValueError('lt')
        return self.v < o.v
l = [X(i) for i in range(1000, 0, -1)]
try:
    l.sort()
except ValueError as e:
    print('ValueError', e)
print(len(l), sorted(o.v for o in l) == list(range(1, 1001)))
