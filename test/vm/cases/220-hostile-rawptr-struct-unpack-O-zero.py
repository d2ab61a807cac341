import struct
print(struct.unpack('O', bytes(8)))
