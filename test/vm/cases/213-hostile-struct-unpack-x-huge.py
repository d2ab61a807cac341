import struct
struct.unpack('99999999999999999xB', b'a')
