# Formatting of ordinary and extreme values.
vals = [0.0, -0.0, 1.0, 0.1, 1 / 3, 123456789.0, 1e16, 1e22, 1.7976931348623157e308,
        5e-324, 2.2250738585072014e-308, -1e-300, 1e100, 1e-100, 1.5e-7, 12345.678]
for v in vals:
    print(repr(v), str(v), "%e" % v, "%g" % v, "%.17g" % v)
for v in vals:
    print("{:.3f} {:10.2e} {:+g} {:.0f} {:%}".format(v, v, v, v if abs(v) < 1e30 else 1, min(abs(v), 1e10)))
print("%.0f" % 1e308)
print("{:.300f}".format(1.0)[-5:], len("{:.300f}".format(1.0)))
print("%.50e" % (1 / 3))
print("{:>20}|{:<20}|{:^20}".format(1.5, -2.25, 3.0))
print("{:.2e} {:.3g} {:010.3f}".format(1e300, -5e-324, 0.5))
print(str(float("inf")), repr(float("-inf")), "%f" % float("nan"), "{:e}".format(float("inf")))
print("%5.1f%%" % 99.44, f"{2.5:.2f}", f"{1e-5}", f"{1e5}")
