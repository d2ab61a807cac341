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
try:
    raise e
except GeneratorExit:
    print('caught')
try:
    raise e
except GeneratorExit:
    print('caught again')
