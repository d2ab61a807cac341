def f(n):
    return f(n + 1)

try:
    f(0)
except RuntimeError as e:
    print("caught RuntimeError:", e)

# Python frames live on the module's Python stack (MICROPY_ENABLE_PYSTACK),
# so runaway recursion exhausts it and raises RuntimeError; afterwards the
# interpreter is still usable, including recursion as deep as CPython's
# default limit allows.
def depth(n):
    return 0 if n == 0 else 1 + depth(n - 1)

print(depth(990))
