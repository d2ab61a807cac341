# NaN and infinity edge cases.
inf = float("inf")
nan = float("nan")
print(inf, -inf, nan, inf - inf, inf * 0, nan == nan, nan != nan, nan is nan)
print(inf > 1e308, -inf < -1e308, inf == inf, 1e308 * 10 == inf, -1e308 * 10)
print(sorted([3.0, 1.0, 2.0]), max(inf, 1), min(-inf, 0))
print(float("Infinity"), float("-iNF"), float("nan"), float("-NaN"), float("+inf"))
for bad in (inf, -inf, nan):
    try:
        int(bad)
    except (OverflowError, ValueError) as e:
        print(type(e).__name__)
    try:
        round(bad)
    except (OverflowError, ValueError) as e:
        print(type(e).__name__)
print(inf % 2 if False else "skip", 5.0 % inf, -5.0 % inf)
print(0.0 == -0.0, str(-0.0), 1 / inf, -1 / inf)
print(hash(inf) == hash(inf), {nan: 1}.get(nan, "miss") if False else "ok")
d = {1.0: "one", inf: "inf"}
print(d[1], d[inf])
print(inf ** 0, nan ** 0, 1 ** nan, (-inf) ** 3, 0.0 ** 0)
print(abs(-inf), -nan != -nan, float("1e400"), float("-1e400"), float("1e-400"))
