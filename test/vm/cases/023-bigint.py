def factorial(n):
    r = 1
    for i in range(2, n + 1):
        r *= i
    return r

print(2 ** 200)
print(factorial(50))
print(factorial(30) // factorial(28), factorial(25) % 1000003)
print(-(2 ** 100) + 1, (2 ** 64) * (2 ** 64) == 2 ** 128)
print(hex(2 ** 100 - 1), int("9" * 40) + 1)
print(pow(3, 100, 1000000007), divmod(10 ** 30, 7 ** 20))
