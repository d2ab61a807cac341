try:
    next(iter([]))
except StopIteration as e:
    err = e
err.__traceback__ = None
try:
    raise err
except StopIteration:
    print('caught', err.value)
