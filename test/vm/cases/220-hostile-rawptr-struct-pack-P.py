import struct
print(struct.pack('P', 0))
