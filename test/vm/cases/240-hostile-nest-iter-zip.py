it = iter([1])
for i in range(20000):
    it = zip(it)
print(next(it))
