def gen(n):
    for i in range(n):
        yield i * i

def chain(*gens):
    for g in gens:
        yield from g

def echo():
    got = yield "ready"
    while True:
        got = yield "got %s" % got

print(list(gen(6)))
print(list(chain(gen(3), "ab", (x + 1 for x in range(3)))))
print(sum(x for x in range(1000) if x % 7 == 0))
e = echo()
print(next(e), e.send(1), e.send("two"))
g = gen(2)
print(next(g), next(g))
try:
    next(g)
except StopIteration:
    print("StopIteration")
