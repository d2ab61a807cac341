import array, gc
a = array.array('i', [0] * 4)
m = memoryview(a)
try:
    a.extend(array.array('i', [0] * 30000))
except BufferError:
    print('BufferError')
else:
    gc.collect()
    reuse = [array.array('i', [0] * 4) for i in range(300)]
    m[0] = 65
    print(sum(r[0] for r in reuse), a[0])
