import array
a = array.array('q', [1, 2])
a *= 2 ** 61
