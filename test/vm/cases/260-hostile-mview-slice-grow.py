import gc
b = bytearray(16)
keep = bytearray(16)
m = memoryview(b)
try:
    b[0:0] = bytes(100000)
except BufferError:
    print('BufferError')
else:
    gc.collect()
    reuse = [bytearray(16) for i in range(300)]
    try:
        m[0] = 65
    except IndexError:
        print('IndexError')
    else:
        print(sum(r[0] for r in reuse), b[0] if len(b) else None)
