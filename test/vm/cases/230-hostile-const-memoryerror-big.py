try:
    bytearray(10 ** 9)
except MemoryError as e:
    err = e
err.__traceback__ = None
for i in range(3):
    try:
        raise err
    except MemoryError:
        pass
print('ok')
