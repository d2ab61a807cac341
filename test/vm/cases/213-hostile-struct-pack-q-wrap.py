import struct
struct.pack('2305843009213693952Q', 1)
