big = bytearray(1 << 30)
