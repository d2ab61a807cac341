import struct
struct.pack('99999999999999999s', b'x')
