import struct
print(struct.pack('O', []))
