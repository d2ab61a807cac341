def g():
    try:
        yield 1
    except GeneratorExit as e:
        raise e
for i in range(3):
    it = g()
    next(it)
    it.close()
print('closed')
