s = 'a' * 400000
p = 'a' * 200000 + 'b'
while True:
    s.split(p)
