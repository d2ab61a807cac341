b = bytearray(b'abcd')
b *= 2 ** 62
