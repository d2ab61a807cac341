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
    e.args = (1,)
except AttributeError:
    print('AttributeError')
else:
    print('set', saved[0].args)
print(e.args, type(e)().args)
