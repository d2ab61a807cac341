l = [7] * 50000
while True:
    l.sort()
