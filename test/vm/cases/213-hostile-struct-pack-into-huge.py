import struct
struct.pack_into('99999999999999999s', bytearray(8), 0, b'x')
