l = list(range(50000))
while True:
    l.sort()
