import array, gc
a = array.array('b', [0] * 16)
m = memoryview(a)
try:
    for i in range(20000):
        a.append(1)
except BufferError:
    print('BufferError')
else:
    gc.collect()
    reuse = [array.array('b', [0] * 16) for i in range(300)]
    m[0] = 65
    print(sum(r[0] for r in reuse), a[0])
