# broke: exc.__traceback__ = None on the const GeneratorExit singleton writes read-only memory (py/objexcept.c mp_obj_exception_attr)
def g():
    try:
        yield 1
    except GeneratorExit as e:
        e.__traceback__ = None
        raise
x = g()
next(x)
x.close()
