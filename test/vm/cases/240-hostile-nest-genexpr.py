g = iter([1])
for i in range(5000):
    g = (x for x in g)
print(list(g))
