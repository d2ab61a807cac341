import gc
b = bytearray(16)
keep = bytearray(16)
m = memoryview(b)
try:
    b.extend(bytes(100000))
except BufferError:
    print('BufferError')
else:
    try:
        m[0] = 65
    except IndexError:
        print('IndexError')
    else:
        gc.collect()
        reuse = [bytearray(16) for i in range(300)]
        v = m[0]
        m[0] = 66
        print(sum(r[0] for r in reuse), v)
