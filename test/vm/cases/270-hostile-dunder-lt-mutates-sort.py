l = []
class X:
    def __init__(self, v):
        self.v = v
    def __lt__(self, o):
        l.extend(X(0) for i in range(50))
        return self.v < o.v
l.extend(X(i) for i in range(200, 0, -1))
try:
    l.sort()
except Exception as e:
    print(type(e).__name__)
else:
    print('sorted')
import gc
gc.collect()
print('done', all(isinstance(x, X) for x in l))
