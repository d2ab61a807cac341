bytearray(2 ** 63 - 1)
