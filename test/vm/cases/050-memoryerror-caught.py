try:
    b = bytearray(1 << 30)
    print("allocated", len(b))
except MemoryError:
    print("MemoryError")
b = bytearray(1000)
print("small allocation works", len(b))
