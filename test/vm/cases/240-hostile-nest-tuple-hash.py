t = ()
for i in range(20000):
    t = (t,)
print(hash(t))
