import struct
struct.pack_into('I', bytearray(4), 2 ** 63 - 1, 1)
