b = bytes(300000)
while True:
    b.count(b'\x01')
