x = 7 ** 3000
while True:
    x * x
