import struct
print(struct.unpack_from('<O', bytearray(b'\xff' * 16), 8))
