saved = []
def g():
    try:
        yield 1
    except GeneratorExit as e:
        saved.append(e)
        raise
it = g()
next(it)
it.close()
e = saved[0]
def h():
    yield 1
k = h()
next(k)
try:
    k.throw(e)
except GeneratorExit:
    print('thrown')
