import struct
print(struct.unpack('P', bytes(8)))
