x = []
try:
    while True:
        x.append(bytearray(4000))
except MemoryError as e:
    err = e
x = None
err.__traceback__ = None
try:
    raise err
except MemoryError:
    print('caught')
print(type(err).__name__)
