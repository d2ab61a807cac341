l = list(range(50000, 0, -1))
while True:
    l.sort()
    l.reverse()
