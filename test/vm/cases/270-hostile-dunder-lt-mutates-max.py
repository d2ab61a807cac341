l = []
class X:
    def __lt__(self, o):
        l[:] = []
        return False
l.extend(X() for i in range(100))
try:
    print(type(max(l)).__name__)
except Exception as e:
    print(type(e).__name__)
print('done')
