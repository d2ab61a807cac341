# broke: memoryview over a bytearray that was resized reads/writes the freed block (py/objarray.c array_subscr)
b = bytearray(b'x' * 64)
m = memoryview(b)
b.extend(b'y' * 100000)
print(m[10])
m[10] = 65
