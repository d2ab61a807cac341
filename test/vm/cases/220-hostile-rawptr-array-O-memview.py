import array
b = bytearray(b'\x41' * 8)
a = array.array('O', b)
print(list(a))
