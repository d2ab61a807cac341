import array
a = array.array('O', [1])
print(a[0])
