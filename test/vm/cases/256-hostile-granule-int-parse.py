s = '9' * 1500
while True:
    int(s)
