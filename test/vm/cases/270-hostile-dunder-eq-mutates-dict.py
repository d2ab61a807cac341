d = {}
class K:
    def __hash__(self):
        return 0
    def __eq__(self, o):
        for i in range(20):
            d[len(d) + 1000] = i
        return False
try:
    for i in range(8):
        d[K()] = i
    d[K()]
except KeyError:
    print('KeyError')
except RuntimeError as e:
    print('RuntimeError')
import gc
gc.collect()
print('done', len(d) > 1)
