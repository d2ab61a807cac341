def add(a, b=10, *rest, **kw):
    return a + b + sum(rest) + sum(kw.values())

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

print(add(1))
print(add(1, 2))
print(add(1, 2, 3, 4, x=5, y=6))
print(fib(20))
print([fib(i) for i in range(10)])
