# broke: classes over diamond-shaped bases: py/objtype.c instance_count_native_bases is exponential with no loop hook (time limit escaped)
class A: pass
L = [A]
for i in range(60):
    class B(L[-1]): pass
    class C(L[-1]): pass
    class D(B, C): pass
    L.append(D)
print(L[-1]().nope)
