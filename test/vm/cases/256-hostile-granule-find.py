s = 'a' * 200000
while True:
    s.find('b')
