b = bytearray(b'k' * 64)
m = memoryview(b)
try:
    b.extend(bytes(100000))
except BufferError:
    print('BufferError')
else:
    junk = [bytes([i % 256]) * 64 for i in range(300)]
    print(bytes(m[0:4]) == b'kkkk' and '0 65')
