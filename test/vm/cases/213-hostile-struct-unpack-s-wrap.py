import struct
struct.unpack('18446744073709551617s', b'a')
