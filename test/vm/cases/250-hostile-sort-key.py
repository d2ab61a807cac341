l = list(range(20000))
while True:
    l.sort(key=lambda x: -x)
