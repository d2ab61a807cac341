s = '6' * 300000
while True:
    int(s, 7)
