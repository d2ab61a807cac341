class X:
    def __repr__(self):
        raise ValueError('repr')
print([1, X(), 2])
