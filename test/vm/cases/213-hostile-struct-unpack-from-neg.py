import struct
struct.unpack_from('I', b'abcd', -(2 ** 62))
