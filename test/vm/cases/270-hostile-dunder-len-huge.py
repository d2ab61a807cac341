class X:
    def __init__(self, n):
        self.n = n
    def __len__(self):
        return self.n
for n in (2 ** 100, 2 ** 62, -1):
    try:
        print(len(X(n)))
    except (OverflowError, ValueError, TypeError) as e:
        print(type(e).__name__)
