import array
array.array('i', [1]) * 2 ** 62
