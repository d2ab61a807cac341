# Recursion through C code (repr, sorted's key, a nested data structure)
# must hit the stack check as well, not overflow the kernel stack.
class Loop:
    def __repr__(self):
        return repr(self)

try:
    repr(Loop())
except RuntimeError as e:
    print("repr:", e)

def key(x):
    return sorted([1, 2], key=key)

try:
    key(0)
except RuntimeError as e:
    print("sorted:", e)

nested = []
for i in range(5000):
    nested = [nested]
try:
    print(len(str(nested)))
except RuntimeError as e:
    print("str:", e)
print("survived")
