import struct
print(struct.unpack('O', b'\x41' * 8))
