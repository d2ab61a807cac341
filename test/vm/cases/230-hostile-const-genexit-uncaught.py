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
raise e
