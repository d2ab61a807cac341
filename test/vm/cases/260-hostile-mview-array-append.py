import array, gc
a = array.array('b', [0] * 16)
m = memoryview(a)
try:
    for i in range(20000):
        a.append(1)
except BufferError:
    print('BufferError')
else:
    m[0] = 65
    gc.collect()
    reuse = [array.array('b', bytes(16)) for i in range(300)]
    v = m[0]
    m[0] = 66
    print(sum(r[0] for r in reuse), v)
