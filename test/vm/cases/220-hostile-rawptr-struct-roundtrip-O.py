import struct
b = struct.pack('Q', id([]) + 64)
print(struct.unpack('O', b)[0])
