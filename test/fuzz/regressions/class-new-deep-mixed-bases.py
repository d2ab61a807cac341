# broke: creating a class over 3000 levels of mixed inheritance recurses in py/objtype.c:instance_count_native_bases without a stack check
class M: pass
C = object
for i in range(3000):
    C = type('C', (C, M) if i % 2 else (C,), {})
C().nope
