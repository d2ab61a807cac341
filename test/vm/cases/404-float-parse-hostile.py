# float() and float literals from hostile strings: every one either parses
# or raises ValueError/SyntaxError, quickly, without reading past the end.
tests = ["1.5", "  -2.5e3  ", "1e", "e5", ".", "-.5", "5.", "1_000.5", "1__0.0",
         "0x1p3", "1e+", "1e-", "++1", "--1", "1.2.3", "nan(123)", "infinity",
         "infinit", "-nan", "1e5e5", "١٢٣", "1\x00", "\t\n1.25\r ", "",
         "0" * 5000 + "1.5", "1." + "0" * 5000 + "1", "9" * 400, "." + "9" * 400,
         "1e" + "9" * 30, "1e-" + "9" * 30, "-" + "1" * 350 + ".0", "0." + "0" * 400 + "1e400"]
for t in tests:
    try:
        v = float(t)
        print(repr(t[:12]), v)
    except ValueError as e:
        print(repr(t[:12]), "ValueError")
for src in ("1.5e", "1e+x", "0x1.5", "1.e5", "1_0.5_5", "1e1_0", ".e1", "1..2", "3.j", "1e999j"):
    try:
        print(src, eval(src))
    except SyntaxError:
        print(src, "SyntaxError")
    except ValueError:
        print(src, "ValueError")
print(float(b"2.5") if False else float("2.5"), float(2 ** 1023), int(float("1e300")) > 0)
try:
    float(2 ** 1024)
except OverflowError:
    print("OverflowError")
print(float(10 ** 400 // 10 ** 390))
