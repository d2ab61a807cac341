import struct
struct.calcsize('2305843009213693952Q')
