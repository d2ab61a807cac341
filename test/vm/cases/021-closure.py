def counter(start):
    n = start

    def step(k=1):
        nonlocal n
        n += k
        return n

    return step

c1 = counter(10)
c2 = counter(100)
print(c1(), c1(), c1(5), c2(), c1())
adders = [lambda x, i=i: x + i for i in range(4)]
print([f(10) for f in adders])
print(list(map(lambda x: x * x, filter(lambda x: x % 2, range(10)))))
