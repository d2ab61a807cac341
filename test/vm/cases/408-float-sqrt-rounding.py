# math.sqrt is IEEE 754's correctly rounded square root (the hardware
# instruction since kernel_mod/patches/0015): checked exactly, in integers,
# from the result's bits, for normal, subnormal and huge arguments.
import math
import struct


def bits(x):
    return int.from_bytes(struct.pack("<d", x), "little")


def exact(x):
    # x as m * 2**e with integer m (x finite, positive)
    b = bits(x)
    e = (b >> 52) & 0x7FF
    m = b & ((1 << 52) - 1)
    if e == 0:
        return m, -1074
    return m | (1 << 52), e - 1075


def correctly_rounded(x, r):
    # |r - sqrt(x)| <= ulp(r) / 2, i.e. (r - h)**2 <= x <= (r + h)**2
    # with h = half an ulp; all scaled to integers.
    xm, xe = exact(x)
    rm, re_ = exact(r)
    # r = rm * 2**re_, h = 2**(re_ - 1); scale by 2**(2 - 2 * re_ + k)
    lo = (2 * rm - 1) ** 2
    hi = (2 * rm + 1) ** 2
    # x * 4 / 2**(2 * re_) compared with lo, hi
    s = xe + 2 - 2 * re_
    if s >= 0:
        v = xm << s
        return lo <= v <= hi
    v4 = xm
    return lo << -s <= v4 <= hi << -s


bad = 0
n = 0
x = 1.0000000000000002
for i in range(400):
    for y in (x, x * 1e-300, x * 1e300, x * 4.9e-324 * (i + 1)):
        if y > 0 and y != math.inf:
            n += 1
            if not correctly_rounded(y, math.sqrt(y)):
                bad += 1
                print("not correctly rounded:", y)
    x = x * 1.37 + 0.001
for k in range(1, 3000, 7):
    if math.sqrt(float(k * k)) != k:
        bad += 1
print(n, "checked, bad:", bad)
print(math.sqrt(0.0), math.copysign(1, math.sqrt(-0.0)), math.sqrt(math.inf))
print(math.isnan(math.sqrt(math.nan)), math.sqrt(5e-324) > 0, math.sqrt(2) == 1.4142135623730951)
