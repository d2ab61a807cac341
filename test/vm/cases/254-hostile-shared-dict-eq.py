d = {}
e = {}
for i in range(28):
    d = {1: d, 2: d}
    e = {1: e, 2: e}
while True:
    d == e
