print(b'ab' * 0, bytes(0), bytearray(0), b''.join([]), b'abc'[5:], bytes(bytearray()))
print(b'abc'.replace(b'abc', b''), bytes(memoryview(b'')), bytes(memoryview(bytearray(4))[2:2]))
b = bytearray(b'xyz')
b[0:3] = b''
b.extend(b'')
b += b''
print(b, len(b))
b.append(1)
print(b)
