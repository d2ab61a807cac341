import struct
struct.unpack('99999999999999999s', b'')
