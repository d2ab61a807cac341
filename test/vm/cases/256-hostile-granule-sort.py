l = list(range(3000))
while True:
    l.sort()
