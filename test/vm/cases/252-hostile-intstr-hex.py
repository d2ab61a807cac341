s = 'f' * 300000
while True:
    int(s, 16)
