s = 'ab' * 50000
while True:
    s.replace('a', 'c')
