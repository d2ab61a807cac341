# broke: struct typecode 'O' turns bytes into an object pointer (py/binary.c mp_binary_get_val)
import struct
o = struct.unpack('O', struct.pack('Q', 0x4141414141414140))[0]
print(o)
