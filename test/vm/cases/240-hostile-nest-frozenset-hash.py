f = frozenset()
for i in range(10000):
    f = frozenset([f])
print(hash(f))
