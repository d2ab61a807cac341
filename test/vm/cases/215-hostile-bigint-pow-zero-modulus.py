# pow() reduces modulo its third argument by dividing: by zero that read
# far outside the big integer's digits (an oops). ValueError, as CPython.
for a, b, m in ((1, 1, 0), (5, 3, 0), (2**70, 3, 0), (5, 2**70, 0), (5, 3, 2**64 - 2**64), (0, 0, 0), (5, -1, 0)):
    try:
        print(pow(a, b, m))
    except ValueError as e:
        print('ValueError', e)
print(pow(3, 4, 7), pow(2**70, 3, 1000), pow(5, 3, -7))
