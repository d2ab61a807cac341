'ab'.center(2 ** 63 - 1)
