d = {}
e = {}
for i in range(8000):
    d = {"k": d}
    e = {"k": e}
r = str(d)
