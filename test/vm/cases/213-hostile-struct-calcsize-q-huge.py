import struct
struct.calcsize('99999999999999999Q')
