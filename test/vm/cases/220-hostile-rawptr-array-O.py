import array
print(array.array('O', b'\x41' * 8)[0])
