bytearray(b'ab') * 2 ** 62
