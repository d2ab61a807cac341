l = []
class K:
    def __eq__(self, o):
        del l[:]
        l.extend(range(3))
        return False
l.extend(K() for i in range(100))
try:
    print(l.count(K()), l.index(7) if 7 in l else None)
except Exception as e:
    print(type(e).__name__)
print('done', len(l) >= 3)
