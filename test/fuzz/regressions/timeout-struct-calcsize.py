# broke: struct.calcsize with a huge count loops in py/modstruct.c:calc_size_items with no loop hook (time limit escaped)
import struct
print(struct.calcsize('2305843009213693952q'))
struct.unpack('2305843009213693953q', b'')
