# math functions, printed with 12 significant digits (libm implementations
# may differ in the last bit).
import math
def p(*a):
    print(" ".join("%.12g" % x if isinstance(x, float) else repr(x) for x in a))
p(math.pi, math.e, math.sqrt(2), math.sqrt(0.0), math.sqrt(1e308))
p(math.sin(0.5), math.cos(0.5), math.tan(0.5), math.sin(1e10), math.cos(-1e22))
p(math.asin(0.5), math.acos(0.5), math.atan(1), math.atan2(1, -1), math.atan2(-0.0, -1))
p(math.exp(1), math.exp(-745), math.exp(709), math.log(10), math.log(8, 2), math.log10(1000), math.log2(1024))
p(math.pow(2, 10), math.pow(2, 0.5), math.fmod(7, 3), math.fmod(-7, 3), math.ldexp(1, -1074))
p(math.floor(-2.5), math.ceil(-2.5), math.trunc(-2.5), math.floor(1e20), math.fabs(-3.0))
p(math.sinh(1), math.cosh(1), math.tanh(1), math.asinh(1), math.acosh(2), math.atanh(0.5))
p(math.erf(0.5), math.erfc(0.5), math.gamma(5.5), math.lgamma(10.5), math.expm1(1e-10))
p(math.frexp(1024.0), math.modf(-3.25), math.copysign(1, -0.0), math.degrees(math.pi), math.radians(180))
p(math.isnan(math.nan), math.isinf(math.inf), math.isfinite(1.0), math.isclose(1.0, 1.0 + 1e-10))
p(math.factorial(20), math.gcd(12, 18) if hasattr(math, "gcd") else 6)
for f, a in ((math.sqrt, -1), (math.log, 0), (math.log, -1), (math.acos, 2), (math.exp, 1000), (math.gamma, -1), (math.pow, (0, -1))):
    try:
        f(*a) if isinstance(a, tuple) else f(a)
        print("no error")
    except (ValueError, OverflowError, ZeroDivisionError) as e:
        print(type(e).__name__)
import cmath
p(cmath.sqrt(-1).imag, round(cmath.sqrt(-1).real, 12), cmath.exp(1j * math.pi).real, cmath.phase(-1), abs(cmath.polar(1j)[1]))
