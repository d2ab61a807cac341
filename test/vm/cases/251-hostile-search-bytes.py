s = b'a' * 400000
p = b'a' * 200000 + b'b'
while True:
    s.find(p)
