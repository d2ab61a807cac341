import array
class L:
    def __len__(self):
        return -1
    def __iter__(self):
        return iter([1, 2, 3])
array.array('i', L())
