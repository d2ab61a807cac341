import array
class L:
    def __len__(self):
        return 2 ** 62
    def __iter__(self):
        return iter([1, 2, 3])
array.array('i', L())
