class X:
    def __hash__(self):
        raise TypeError('hash')
try:
    {X(): 1}
except TypeError as e:
    print('TypeError', e)
try:
    set([1, 2, X()])
except TypeError as e:
    print('TypeError', e)
