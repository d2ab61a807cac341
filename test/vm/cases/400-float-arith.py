# Float arithmetic: true division, mixed int/float, exact IEEE results.
print(1 / 2 == 0.5, 1 / 2, 7 / 2, -7 / 2, 10 / 5)
print(0.1 + 0.2, 0.1 + 0.2 == 0.3, 1e16 + 1.0, 2.0 ** 53 + 1)
print(3 * 0.5, 3 - 0.5, 2 ** -1, 2 ** 0.5, 10 ** -3)
print(7.5 // 2, -7.5 // 2, 7.5 % 2, -7.5 % 2, divmod(7.5, -2))
print(int(2.9), int(-2.9), round(2.5), round(3.5), round(-0.5), round(1.25, 1))
print(float(10 ** 20), float(2 ** 63), int(1e20), int(-1e20))
print(abs(-1.5), -(-0.0))
print(max(1, 2.5, 2), min(-0.5, 0), sum([0.5] * 10), sum([0.1] * 10))
print(hash(1.0) == hash(1), 1.0 == 1, 2 ** 0.5 * 2 ** 0.5)
print(float.fromhex if hasattr(float, "fromhex") else "no fromhex")
x = 0.0
for i in range(1, 1001):
    x += 1.0 / i
print(x)
print((1.5).as_integer_ratio() if hasattr(1.5, "as_integer_ratio") else "no ratio")
print(complex(1, 2) * complex(3, -1), abs(3 + 4j), (1j) ** 2)
try:
    1 / 0.0
except ZeroDivisionError as e:
    print("ZeroDivisionError", e)
try:
    1.0 // 0
except ZeroDivisionError as e:
    print("ZeroDivisionError", e)
try:
    5.0 % 0.0
except ZeroDivisionError as e:
    print("ZeroDivisionError", e)
