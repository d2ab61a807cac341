# broke: array typecode 'O' over raw bytes turns them into object pointers (py/binary.c mp_binary_get_val_array)
import array
a = array.array('O', bytes(array.array('Q', [0x4141414141414140])))
print(a[0])
