2 ** 62 * b'abcd'
