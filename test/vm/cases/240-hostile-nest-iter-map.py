it = iter([1])
for i in range(20000):
    it = map(abs, it)
print(list(it))
