import array
print(array.array('P', [1]))
