while True:
    bytearray(300000)
