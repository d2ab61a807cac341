# Huge exponents: overflow to inf or OverflowError, underflow to 0, never
# a hang on a giant power or a giant literal.
print(1e308 * 10, -1e308 * 1e308, 1e-308 / 1e100, 2.0 ** -1080)
for a, b in ((2.0, 1024), (10.0, 400), (-10.0, 401), (1.0000001, 2 ** 60), (2.0, 10 ** 30)):
    try:
        print(a ** b)
    except OverflowError:
        print("OverflowError")
print(0.5 ** 10 ** 6, 1.0 ** (10 ** 100), (-1.0) ** (10 ** 100), 2.0 ** -(10 ** 30))
print(float("1e" + "9" * 50), float("1e-" + "9" * 50), 1e-323 / 2, 5e-324 * 0.5)
import math
print(math.ldexp(1.0, 10 ** 9), math.ldexp(1.0, -(10 ** 9)), math.ldexp(1.0, 1023))
for f, x in ((math.exp, 1e6), (math.pow, (10.0, 1e6)), (math.sinh, 1e4), (math.cosh, -1e4)):
    try:
        print(f(*x) if isinstance(x, tuple) else f(x))
    except (OverflowError, ValueError) as e:
        print(type(e).__name__)
print(math.exp(-1e6), "%.12g %.12g" % (math.sin(1e300), math.cos(1e300)), math.fmod(1e300, 3.0))
print(round(1e300, 2), round(1e-300, 300), round(123.456, -400), round(2.5, 10 ** 9) if False else 0)
try:
    round(1.5, 10 ** 100)
except (OverflowError, ValueError, TypeError) as e:
    print(type(e).__name__)
print(int(1e300) == 10 ** 300, int(1e300) % 1000, len(str(int(1.7976931348623157e308))))
print("%.3e" % (10 ** 300), "%g" % float(2 ** 1000), "%f" % 1e15)
