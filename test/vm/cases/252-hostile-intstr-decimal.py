s = '9' * 300000
while True:
    int(s)
