class A:
    pass
for i in range(30):
    class L(A):
        pass
    class R(A):
        pass
    class A(L, R):
        pass
a = A()
while True:
    a.x = 1
