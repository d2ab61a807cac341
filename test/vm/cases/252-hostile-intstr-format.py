x = 7 ** 100000
while True:
    '%d' % x
