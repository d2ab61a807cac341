class X:
    def __eq__(self, o):
        raise ValueError('eq')
try:
    X() in [X(), X()]
except ValueError as e:
    print('ValueError', e)
try:
    [1, X()].index(2)
except ValueError as e:
    print('ValueError', e)
